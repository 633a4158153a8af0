"""Builds the report: figures from the database, then HTML or JSON."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Connection, Engine, select

from bot.catalog import Catalog
from bot.report.figures import Figures
from bot.report.quotes import quotes
from bot.report.render import render_html
from bot.report.suppression import THRESHOLD
from storage.dataset.catalogue import Catalogue
from storage.dataset.period import Period
from storage.models import Person, Practitioner, Referral


def compute(engine: Engine, period: Period, catalogue: Catalogue, zone: str = "Europe/London",
            threshold: int = THRESHOLD, compare: bool = True) -> dict[str, Any]:
    """The period's figures, small numbers already suppressed, with the quotes people agreed to."""
    with engine.connect() as connection:
        current = Figures(connection, period, catalogue, zone, threshold)
        figures = current.result()
        figures["quotes"] = quotes(engine, period, threshold)
        figures["by_language"] = current.by_language(served_in_language(connection, period))
        if compare:
            # The previous period of the same length, for the summary's comparison column; it lists
            # the measures this period lists.
            before = Figures(connection, previous_period(period, zone), catalogue, zone, threshold,
                             measures_until=period.end)
            figures["previous"] = before.headline()
    return figures


def served_in_language(connection: Connection, period: Period) -> dict[str, bool]:
    """For each person referred in the period: was their practitioner's language the one they chose?"""
    query = (select(Person.pseudonym, Person.language, Practitioner.language)
             .join(Referral, Referral.person_id == Person.id)
             .join(Practitioner, Practitioner.id == Referral.practitioner_id)
             .where(Referral.submitted_at >= period.start, Referral.submitted_at < period.end))
    return {pseudonym: chosen == spoken for pseudonym, chosen, spoken in connection.execute(query)
            if chosen in ("cy", "en")}


def previous_period(period: Period, zone: str) -> Period:
    """The same number of days, ending the day before the period starts."""
    days = (period.last_day - period.first_day).days + 1
    last = period.first_day - timedelta(days=1)
    return Period.of_days(last - timedelta(days=days - 1), last, zone)


def as_json(figures: dict[str, Any], generated: datetime) -> str:
    return json.dumps({"generated_at": generated.isoformat(), **figures}, ensure_ascii=False, indent=2)


def as_html(figures: dict[str, Any], catalog: Catalog, catalogue: Catalogue, languages: Sequence[str],
            service: str, generated: datetime) -> str:
    return render_html(figures, catalog, catalogue, languages, service, generated.strftime("%Y-%m-%d %H:%M UTC"))
