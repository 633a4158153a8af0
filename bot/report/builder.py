"""Builds the report: figures from the database, then HTML or JSON."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Engine, select

from bot.catalog import Catalog
from bot.report.figures import Figures
from bot.report.query import fold_events
from bot.report.quotes import quotes
from bot.report.render import render_html
from bot.report.suppression import THRESHOLD
from storage.dataset.catalogue import Catalogue
from storage.dataset.period import Period
from storage.models import Person, Practitioner, Referral


def compute(engine: Engine, period: Period, catalogue: Catalogue, zone: str = "Europe/London",
            threshold: int = THRESHOLD, compare: bool = True) -> dict[str, Any]:
    """The period's figures, small numbers already suppressed, with the quotes people agreed to."""
    current = Figures(period, catalogue, zone, threshold)
    # The previous period of the same length, for the summary's comparison column: folded from
    # the same read of the events.
    before = Figures(previous_period(period, zone), catalogue, zone, threshold) if compare else None
    fold_events(engine, current, *([before] if before else []))
    figures = current.result()
    figures["quotes"] = quotes(engine, period, threshold)
    figures["by_language"] = current.by_language(served_in_language(engine, period))
    if before is not None:
        figures["previous"] = headline(before.result())
    return figures


def served_in_language(engine: Engine, period: Period) -> dict[str, bool]:
    """For each person referred in the period: was their practitioner's language the one they chose?"""
    query = (select(Person.pseudonym, Person.language, Practitioner.language)
             .join(Referral, Referral.person_id == Person.id)
             .join(Practitioner, Practitioner.id == Referral.practitioner_id)
             .where(Referral.submitted_at >= period.start, Referral.submitted_at < period.end))
    with engine.connect() as connection:
        return {pseudonym: chosen == spoken for pseudonym, chosen, spoken in connection.execute(query)
                if chosen in ("cy", "en")}


def previous_period(period: Period, zone: str) -> Period:
    """The same number of days, ending the day before the period starts."""
    days = (period.last_day - period.first_day).days + 1
    last = period.first_day - timedelta(days=1)
    return Period.of_days(last - timedelta(days=days - 1), last, zone)


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """The few figures the summary compares with the previous period."""
    attendance = figures["how_well"]["attendance"]
    return {"period": figures["period"], "referrals": figures["how_much"]["referrals"]["total"],
            "people": figures["how_much"]["referrals"]["people"], "attended": attendance["attended"],
            "asked": attendance["asked"], "attendance_rate": attendance["attendance_rate"],
            "reliably_better": {f'{m["statement"]}:{m["instrument"]}:{m["item"]}': m.get("reliably_better_share")
                                for m in figures["better_off"]["measures"]}}


def as_json(figures: dict[str, Any], generated: datetime) -> str:
    return json.dumps({"generated_at": generated.isoformat(), **figures}, ensure_ascii=False, indent=2)


def as_html(figures: dict[str, Any], catalog: Catalog, catalogue: Catalogue, languages: Sequence[str],
            service: str, generated: datetime) -> str:
    return render_html(figures, catalog, catalogue, languages, service, generated.strftime("%Y-%m-%d %H:%M UTC"))
