"""Reads the data set events a report needs straight into the figures.

The instruments (SWEMWBS, UCLA-3, ONS-4, ...) are about half of all events and each person's
change needs only two of them: the earliest baseline and the latest follow-up. The database picks
those two (window functions over the JSON fields it reads itself: SQLite's json_extract,
PostgreSQL's ->>) and joins them, so Python receives one row per paired person and measure, with
no JSON to decode. The other statements are streamed and folded one event at a time.
"""
from __future__ import annotations

from sqlalchemy import Engine, Float, and_, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.types import DateTime

from bot.report.figures import INSTRUMENTS, USED, Figures
from storage.models import DataSetEvent

BATCH = 20_000


def fold_events(engine: Engine, figures: Figures, *more: Figures) -> Figures:
    """Feed every event the report uses into `figures` (instrument baselines from before the period too).

    `more` figures (e.g. the previous period's) are fed from the same single read of the
    non-instrument events: each keeps only what falls in its own period.
    """
    table = DataSetEvent.__table__
    everyone = (figures, *more)
    start = min(f.period.start for f in everyone)
    end = max(f.period.end for f in everyone)
    others = sorted(USED - set(INSTRUMENTS))
    query = (
        select(table.c.statement, table.c.subject_key, table.c.occurred_at, table.c.value)
        .where(table.c.statement.in_(others), table.c.occurred_at >= start, table.c.occurred_at < end)
    )
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=BATCH, stream_results=True).execute(query)
        adders = [f.add for f in everyone]
        for partition in result.partitions():
            for statement, subject, occurred_at, value in partition:
                for add in adders:
                    add(statement, subject, occurred_at, value or {})
        for each in everyone:
            fold_pairs(connection, each, end)
    return figures


def _fields(dialect: str):
    """SQL for one JSON field as text, and as a number only when JSON holds a number (never a bool)."""
    value = DataSetEvent.__table__.c.value
    if dialect == "postgresql":
        def text(name: str):
            return value.op("->>")(literal(name))

        def number(name: str):
            return case((func.jsonb_typeof(value.op("->")(literal(name))) == "number",
                         cast(value.op("->>")(literal(name)), Float)))
    else:
        def text(name: str):
            return func.json_extract(value, f"$.{name}")

        def number(name: str):
            return case((func.json_type(value, f"$.{name}").in_(("integer", "real")),
                         func.json_extract(value, f"$.{name}")))
    return text, number


def fold_pairs(connection, figures: Figures, read_until) -> None:
    """Each person's earliest baseline (before the period ends) and latest follow-up (in it), per measure.

    Also the measures scored at all before `read_until` (shown even with no pairs), and the people
    whose only events in the period are an instrument's (they count among the period's people).
    """
    table = DataSetEvent.__table__
    text, number = _fields(connection.dialect.name)
    period = figures.period
    naive = DateTime()
    in_period = select(table.c.subject_key).distinct().where(
        table.c.statement.in_(sorted(INSTRUMENTS)), table.c.occurred_at >= period.start,
        table.c.occurred_at < period.end)
    for (subject,) in connection.execute(in_period):
        figures.add_person(subject)
    for statement, items in INSTRUMENTS.items():
        for item in items:
            score = number(item)
            instrument = func.coalesce(text("instrument"), "")
            wave = text("wave")
            scored = select(instrument).distinct().where(
                table.c.statement == statement, score.is_not(None), table.c.occurred_at < read_until)
            for (name,) in connection.execute(scored):
                figures.add_measure(statement, name, item)

            def ranked(first, *where):
                chosen = select(
                    table.c.subject_key.label("subject"), instrument.label("instrument"),
                    type_coerce(table.c.occurred_at, naive).label("at"), score.label("score"),
                    func.row_number().over(partition_by=(table.c.subject_key, instrument),
                                           order_by=(first, table.c.id)).label("rank"),
                ).where(table.c.statement == statement, score.is_not(None), *where).subquery()
                return select(chosen.c.instrument, chosen.c.subject, chosen.c.at, chosen.c.score).where(
                    chosen.c.rank == 1)

            # Two ranked reads joined here: a join of the two in SQL leaves SQLite without an index
            # to join on (a nested loop over tens of thousands of rows each side).
            baselines = {(name, subject): (at, value) for name, subject, at, value in connection.execute(
                ranked(table.c.occurred_at, wave == "baseline", table.c.occurred_at < period.end))}
            follow_ups = connection.execute(ranked(
                table.c.occurred_at.desc(), or_(wave.is_(None), wave != "baseline"),
                table.c.occurred_at >= period.start, table.c.occurred_at < period.end))
            for name, subject, at, value in follow_ups:
                found = baselines.get((name, subject))
                if found is not None:
                    figures.add_pair(statement, item, name, subject, *found, at, value)
