"""Reads the data set events a report needs, streaming, straight into the figures."""
from __future__ import annotations

from sqlalchemy import Engine, and_, or_, select

from bot.report.figures import INSTRUMENTS, USED, Figures
from storage.models import DataSetEvent

BATCH = 20_000


def fold_events(engine: Engine, figures: Figures, *more: Figures) -> Figures:
    """Feed every event the report uses into `figures` (instrument baselines from before the period too).

    `more` figures (e.g. the previous period's) are fed from the same single read: each keeps only
    what falls in its own period, and the events are read and decoded once.
    """
    table = DataSetEvent.__table__
    everyone = (figures, *more)
    start = min(f.period.start for f in everyone)
    end = max(f.period.end for f in everyone)
    others = sorted(USED - set(INSTRUMENTS))
    query = (
        select(table.c.statement, table.c.subject_key, table.c.occurred_at, table.c.value)
        .where(or_(
            and_(table.c.statement.in_(others), table.c.occurred_at >= start,
                 table.c.occurred_at < end),
            and_(table.c.statement.in_(sorted(INSTRUMENTS)), table.c.occurred_at < end),
        ))
    )
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=BATCH, stream_results=True).execute(query)
        adders = [f.add for f in everyone]
        for partition in result.partitions():
            for statement, subject, occurred_at, value in partition:
                for add in adders:
                    add(statement, subject, occurred_at, value or {})
    return figures
