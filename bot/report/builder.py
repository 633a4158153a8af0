"""Builds the report: figures from the database, then HTML or JSON."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Engine

from bot.catalog import Catalog
from bot.report.figures import Figures
from bot.report.query import fold_events
from bot.report.quotes import quotes
from bot.report.render import render_html
from bot.report.suppression import THRESHOLD
from storage.dataset.catalogue import Catalogue
from storage.dataset.period import Period


def compute(engine: Engine, period: Period, catalogue: Catalogue, zone: str = "Europe/London",
            threshold: int = THRESHOLD) -> dict[str, Any]:
    """The period's figures, small numbers already suppressed, with the quotes people agreed to."""
    figures = fold_events(engine, Figures(period, catalogue, zone, threshold)).result()
    figures["quotes"] = quotes(engine, period, threshold)
    return figures


def as_json(figures: dict[str, Any], generated: datetime) -> str:
    return json.dumps({"generated_at": generated.isoformat(), **figures}, ensure_ascii=False, indent=2)


def as_html(figures: dict[str, Any], catalog: Catalog, catalogue: Catalogue, languages: Sequence[str],
            service: str, generated: datetime) -> str:
    return render_html(figures, catalog, catalogue, languages, service, generated.strftime("%Y-%m-%d %H:%M UTC"))
