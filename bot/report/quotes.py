"""Quotes for the report: the 'what difference' words of people who agreed to be quoted (statement 97).

Shown only when at least `threshold` people in the period agreed (so no one quote stands alone),
at most MAX_QUOTES of them, newest first, with phone numbers, e-mail addresses, postcodes and the
names the service knows taken out: the person's own first name (from their referrals and bookings)
and every practitioner's name. Names it does not know (a friend, a group leader) are not found:
that would need named-entity recognition, which a report is not the place to guess at.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from sqlalchemy import Connection, Engine, select

from storage.dataset.period import Period
from storage.models import Booking, EndOfSupport, Practitioner, Referral

MAX_QUOTES = 5
_REDACT = (
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),                                   # e-mail
    re.compile(r"\+?\d[\d\s-]{7,}\d"),                                         # phone numbers
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),       # postcodes
)
# Name parts shorter than this are left alone ("Jo" is taken out; a stray initial is not).
SHORTEST_NAME = 2


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Contact details and the given names taken out.

    Each word of each name is taken out wherever it stands as a whole word, in any case (people
    write "alys" by text message). A name that is also an ordinary word ("Hope") goes too:
    taking out a word too many is the safe way round.
    """
    for pattern in _REDACT:
        text = pattern.sub("…", text)
    parts = sorted({part for name in names for part in re.split(r"[\s,]+", name or "")
                    if len(part) >= SHORTEST_NAME}, key=len, reverse=True)
    if parts:
        words = "|".join(re.escape(part) for part in parts)
        text = re.sub(rf"(?<!\w)(?:{words})(?!\w)", "…", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def quotes(engine: Engine, period: Period, threshold: int) -> dict[str, Any]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(EndOfSupport.person_id, EndOfSupport.difference_text).where(
                EndOfSupport.quote_ok.is_(True), EndOfSupport.difference_text.is_not(None),
                EndOfSupport.completed_at >= period.start, EndOfSupport.completed_at < period.end)
            .order_by(EndOfSupport.completed_at.desc())).all()
        agreed = len(rows)
        shown = []
        if agreed >= threshold:
            staff = connection.execute(select(Practitioner.name)).scalars().all()
            shown = [redact(text, [*staff, *known_names(connection, person_id)])
                     for person_id, text in rows[:MAX_QUOTES]]
    return {"agreed": agreed if agreed >= threshold or agreed == 0 else None, "shown": shown}


def known_names(connection: Connection, person_id: int) -> list[str]:
    """The first names the person gave: in their referrals' answers, and as their practitioner knows them."""
    answers = connection.execute(select(Referral.answers).where(Referral.person_id == person_id)).scalars()
    given = [a.get("first_name") for a in answers if isinstance(a, dict)]
    booked = connection.execute(select(Booking.first_name).where(Booking.person_id == person_id)).scalars()
    return [name for name in (*given, *booked) if isinstance(name, str) and name.strip()]
