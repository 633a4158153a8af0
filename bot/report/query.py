"""Reads the data set events a report needs, streaming, straight into the figures."""
from __future__ import annotations

from sqlalchemy import Engine, and_, or_, select

from bot.report.figures import INSTRUMENTS, USED, Figures
from storage.models import DataSetEvent

BATCH = 20_000


def fold_events(engine: Engine, figures: Figures) -> Figures:
    """Feed every event the report uses into `figures` (instrument baselines from before the period too)."""
    table = DataSetEvent.__table__
    period = figures.period
    others = sorted(USED - set(INSTRUMENTS))
    query = (
        select(table.c.statement, table.c.subject_key, table.c.occurred_at, table.c.value)
        .where(or_(
            and_(table.c.statement.in_(others), table.c.occurred_at >= period.start,
                 table.c.occurred_at < period.end),
            and_(table.c.statement.in_(sorted(INSTRUMENTS)), table.c.occurred_at < period.end),
        ))
    )
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=BATCH, stream_results=True).execute(query)
        add = figures.add
        for partition in result.partitions():
            for statement, subject, occurred_at, value in partition:
                add(statement, subject, occurred_at, value or {})
    return figures
