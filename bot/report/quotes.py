"""Quotes for the report: the 'what difference' words of people who agreed to be quoted (statement 97).

Shown only when at least `threshold` people in the period agreed (so no one quote stands alone),
at most MAX_QUOTES of them, newest first, with phone numbers, e-mail addresses and postcodes taken out.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, select

from storage.dataset.period import Period
from storage.models import EndOfSupport

MAX_QUOTES = 5
_REDACT = (
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),                                   # e-mail
    re.compile(r"\+?\d[\d\s-]{7,}\d"),                                         # phone numbers
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),       # postcodes
)


def redact(text: str) -> str:
    for pattern in _REDACT:
        text = pattern.sub("…", text)
    return " ".join(text.split())


def quotes(engine: Engine, period: Period, threshold: int) -> dict[str, Any]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(EndOfSupport.difference_text).where(
                EndOfSupport.quote_ok.is_(True), EndOfSupport.difference_text.is_not(None),
                EndOfSupport.completed_at >= period.start, EndOfSupport.completed_at < period.end)
            .order_by(EndOfSupport.completed_at.desc())).scalars().all()
    agreed = len(rows)
    shown = [redact(t) for t in rows[:MAX_QUOTES]] if agreed >= threshold else []
    return {"agreed": agreed if agreed >= threshold or agreed == 0 else None, "shown": shown}
