"""The report's reads: each one a GROUP BY in the database, so Python sees counts, not a million events.

Every query reads the columns storage/dataset/promoted.py copies out of an event's JSON (a query
over JSON text parses every value), through the index on (statement, occurred_at, subject_key).
The few JSON reads left are over small sets: each person's latest statement 36 and the lists in
51/108/80/81/112 (expanded by the database). Paired change reads `dataset_score` (each
questionnaire event's scores, ONS-4's items one row each: storage/dataset/scores.py), not the events.

"Latest" is by time, then by id (the later recorded of two at the same moment).
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterable, NamedTuple

from sqlalchemy import (
    Connection, and_, bindparam, case, distinct, func, select, text, true,
)
from sqlalchemy.sql.elements import ColumnElement

from storage.dataset.period import Period
from storage.models import DataSetEvent, DataSetScore
from storage.models.base import UTCDateTime

E = DataSetEvent.__table__
S = DataSetScore.__table__
SQLITE_MMAP = 1 << 30
POSTGRES_WORK_MEM = "64MB"
# "YYYY-MM-DD HH:MM:SS.ffffff": how SQLite stores a UTCDateTime, and an event id's digits.
MOMENT, ID_DIGITS = 26, 12
# The JSON field each list statement names its items in.
LISTS = {51: "reasons", 108: "themes", 80: "barriers", 81: "barriers", 112: "activity_types"}


class Pair(NamedTuple):
    """A person's baseline and follow-up of one measure (a tuple: a year's pairs are 170,000 of them)."""

    subject: str
    baseline: float
    follow_up: float


class Reader:
    """One period's aggregates, read on one connection."""

    def __init__(self, connection: Connection, period: Period):
        self.connection = connection
        self.period = period
        self.postgres = connection.dialect.name == "postgresql"
        if self.postgres:
            # For this transaction only (the report's connection is rolled back when it closes):
            # no JIT compilation (100-200 ms per query over the events, more than it saves here),
            # no parallel workers (each repeated the whole GROUP BY below a Gather, three times the
            # work on a two-core machine), and room to hash and sort in memory rather than on disk.
            for setting in ("jit = off", "max_parallel_workers_per_gather = 0", f"work_mem = '{POSTGRES_WORK_MEM}'"):
                connection.exec_driver_sql(f"SET LOCAL {setting}")
        else:
            # The report reads the events' rows by id (the chosen baselines and follow-ups) and the
            # JSON of a few statements: mapped, those pages are read from the file cache, not
            # copied through SQLite's 2 MB page cache one at a time.
            connection.exec_driver_sql(f"PRAGMA mmap_size={SQLITE_MMAP}")

    # ------------------------------------------------------------ building blocks

    def within(self, *statements: int) -> ColumnElement[bool]:
        return and_(E.c.statement.in_(statements), E.c.occurred_at >= self.period.start,
                    E.c.occurred_at < self.period.end)

    def subjects(self, *statements: int, where: Iterable[ColumnElement[bool]] = ()):
        """The people with one of these statements in the period, as a subquery for IN."""
        return select(E.c.subject_key).where(self.within(*statements), *where)

    def people(self, *statements: int, where: Iterable[ColumnElement[bool]] = ()) -> int:
        if not self.postgres:
            query = select(func.count(distinct(E.c.subject_key))).where(self.within(*statements), *where)
            return self.connection.execute(query).scalar_one()
        # On PostgreSQL over a GROUP BY: COUNT(DISTINCT) always sorts, a hash takes a third of the time.
        each = select(E.c.subject_key).where(self.within(*statements), *where).group_by(E.c.subject_key).subquery()
        return self.connection.execute(select(func.count()).select_from(each)).scalar_one()

    def events(self, statement: int) -> int:
        return self.connection.execute(select(func.count()).where(self.within(statement))).scalar_one()

    def people_each(self, statements: Iterable[int]) -> Counter[int]:
        """Distinct people per statement."""
        if not self.postgres:
            query = (select(E.c.statement, func.count(distinct(E.c.subject_key)))
                     .where(self.within(*statements)).group_by(E.c.statement))
            return Counter(dict(self.connection.execute(query).all()))
        each = (select(E.c.statement, E.c.subject_key).where(self.within(*statements))
                .group_by(E.c.statement, E.c.subject_key).subquery())
        query = select(each.c.statement, func.count()).group_by(each.c.statement)
        return Counter(dict(self.connection.execute(query).all()))

    def counts(self, statement: int, column: str, where: Iterable[ColumnElement[bool]] = ()) -> Counter[Any]:
        """Events per value of a promoted column."""
        query = (select(E.c[column], func.count()).where(self.within(statement), *where).group_by(E.c[column]))
        return Counter(dict(self.connection.execute(query).all()))

    def latest(self, statement: int, *columns: ColumnElement[Any], where: Iterable[ColumnElement[bool]] = ()):
        """Each person's latest event of a statement in the period (among those matching `where`)."""
        order = func.row_number().over(partition_by=E.c.subject_key,
                                       order_by=(E.c.occurred_at.desc(), E.c.id.desc())).label("rank")
        ranked = select(E.c.subject_key, *columns, order).where(self.within(statement), *where).subquery()
        return select(*(c for c in ranked.c if c.name != "rank")).where(ranked.c.rank == 1).subquery()

    def latest_counts(self, statement: int, column: str) -> Counter[str]:
        """People per value of their latest non-empty `column`."""
        latest = self.latest(statement, E.c[column], where=(E.c[column].isnot(None),))
        query = select(latest.c[column], func.count()).group_by(latest.c[column])
        return Counter(dict(self.connection.execute(query).all()))

    # ------------------------------------------------------------ the report's figures

    def referral_hours(self) -> list[tuple[datetime, int]]:
        """Referrals per UTC hour: the caller folds hours into local weeks (UK offsets are whole hours)."""
        hour = (func.to_char(E.c.occurred_at, "YYYY-MM-DD HH24") if self.postgres
                else func.substr(E.c.occurred_at, 1, 13))
        rows = self.connection.execute(select(hour, func.count()).where(self.within(41)).group_by(hour)).all()
        return [(datetime(int(h[:4]), int(h[5:7]), int(h[8:10]), int(h[11:13]), tzinfo=timezone.utc), n)
                for h, n in rows]

    def latest_fields(self, statement: int) -> tuple[int, list[tuple[str, Any, int]]]:
        """Each person's latest event of a statement, counted per (field, value) of its JSON object.

        Returns (people, [(field, value, people with it)]); a list value (e.g. Welsh language
        ability) comes back whole, as a list, for the caller to count item by item.
        """
        latest = self.latest(statement, E.c.value)
        people = self.connection.execute(select(func.count()).select_from(latest)).scalar_one()
        if self.postgres:
            fields = func.jsonb_each(latest.c.value).table_valued("key", "value").lateral("field")
            query = (select(fields.c.key, fields.c.value, func.count()).select_from(latest.join(fields, true()))
                     .where(func.jsonb_typeof(latest.c.value) == "object")
                     .group_by(fields.c.key, fields.c.value))
            return people, [(key, value, n) for key, value, n in self.connection.execute(query).all()]
        fields = func.json_each(latest.c.value).table_valued("key", "value", "type").alias("field")
        query = (select(fields.c.key, fields.c.value, fields.c.type, func.count())
                 .select_from(latest.join(fields, true()))
                 .where(func.json_type(latest.c.value) == "object")
                 .group_by(fields.c.key, fields.c.value, fields.c.type))
        return people, [(key, _sqlite_json(value, kind), n) for key, value, kind, n in self.connection.execute(query).all()]

    def mentions(self, statement: int) -> Counter[str]:
        """People per item of the statement's list (a person giving an item twice counts once)."""
        field = LISTS[statement]
        where = f"e.statement = {int(statement)} AND e.occurred_at >= :start AND e.occurred_at < :end"
        if self.postgres:
            sql = (f"SELECT item, count(*) FROM (SELECT item, e.subject_key FROM dataset_event e "
                   f"CROSS JOIN LATERAL jsonb_array_elements_text(e.value -> '{field}') AS item "
                   f"WHERE {where} AND jsonb_typeof(e.value -> '{field}') = 'array' "
                   f"GROUP BY item, e.subject_key) AS mentioned GROUP BY item")
        else:
            sql = (f"SELECT j.value, COUNT(DISTINCT e.subject_key) FROM dataset_event e, "
                   f"json_each(e.value, '$.{field}') AS j "
                   f"WHERE {where} AND json_type(e.value, '$.{field}') = 'array' "
                   f"GROUP BY j.value")
        rows = self.connection.execute(text(sql).bindparams(bindparam("start", self.period.start, UTCDateTime),
                                                            bindparam("end", self.period.end, UTCDateTime)))
        counts: Counter[str] = Counter()
        for item, people in rows:
            counts[str(item)] += people
        return counts

    def activities(self) -> list[tuple[list[str], str, bool, int]]:
        """Statement 112 grouped by (its activity types, its area, green prescribing): few groups."""
        types = E.c.value["activity_types"]
        query = (select(types, E.c.answer, E.c.flag, func.count()).where(self.within(112))
                 .group_by(types, E.c.answer, E.c.flag))
        return [(list(t) if isinstance(t, list) else [], area, bool(flag), n)
                for t, area, flag, n in self.connection.execute(query)]

    def amounts(self, statement: int, where: Iterable[ColumnElement[bool]] = ()) -> list[float]:
        """Every event's amount, sorted (read as value and count: a few hundred rows)."""
        query = (select(E.c.amount, func.count()).where(self.within(statement), E.c.amount.isnot(None), *where)
                 .group_by(E.c.amount).order_by(E.c.amount))
        return [amount for amount, n in self.connection.execute(query) for _ in range(n)]

    def both(self, statement: int, other: int, where: Iterable[ColumnElement[bool]] = ()) -> int:
        """People with `statement` (matching `where`) who also have `other` in the period."""
        return self.people(statement, where=(*where, E.c.subject_key.in_(self.subjects(other))))

    def languages(self) -> dict[str, str]:
        """Each person's latest language of choice (13)."""
        latest = self.latest(13, E.c.answer)
        return dict(self.connection.execute(select(latest.c.subject_key, latest.c.answer)).all())

    def subjects_of(self, statement: int, where: Iterable[ColumnElement[bool]] = ()) -> set[str]:
        return set(self.connection.execute(self.subjects(statement, where=where).distinct()).scalars())

    def latest_answers(self, statement: int) -> dict[str, str]:
        latest = self.latest(statement, E.c.answer, where=(E.c.answer.isnot(None),))
        return dict(self.connection.execute(select(latest.c.subject_key, latest.c.answer)).all())

    def yes_no(self, statements: Iterable[int]) -> dict[int, tuple[int, int]]:
        """For each yes/no statement answered: (people, people whose latest answer is yes)."""
        out = {}
        for statement in statements:
            latest = self.latest(statement, E.c.flag, where=(E.c.flag.isnot(None),))
            yes = func.coalesce(func.sum(case((latest.c.flag == true(), 1), else_=0)), 0)
            people, said_yes = self.connection.execute(select(func.count(), yes)).one()
            if people:
                out[statement] = (people, int(said_yes))
        return out

    # ------------------------------------------------------------ paired change

    def measures(self, until: datetime) -> list[tuple[int, str, str]]:
        """(statement, instrument, item) with any score recorded before `until`."""
        query = (select(S.c.statement, S.c.instrument, S.c.item).where(S.c.occurred_at < until)
                 .group_by(S.c.statement, S.c.instrument, S.c.item))
        return [tuple(row) for row in self.connection.execute(query)]

    def pairs(self, measures: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], list[Pair]]:
        """For each measure, each person's earliest baseline (before the period ends) and latest
        follow-up in the period, where the baseline came first.

        Read from `dataset_score` (storage/dataset/scores.py: each questionnaire event's scores,
        one row per item), whose index holds each measure's scores person by person, baselines
        then follow-ups, in time order, so that no event and no JSON is read.
        Earliest and latest are by time, then by id (the earlier recorded of two at the same moment).
        """
        out: dict[tuple[int, str, str], list[Pair]] = {tuple(key): [] for key in measures}
        rows = self._pairs_sqlite() if not self.postgres else self._pairs_postgres()
        for statement, instrument, item, subject, before, after in rows:
            found = out.get((statement, instrument, item))
            if found is not None:
                found.append(Pair(subject, float(before), float(after)))
        return out

    def _pairs_postgres(self):
        """Two windows over the index (each person's first baseline, their last follow-up), merge-joined."""
        keys = (S.c.statement, S.c.instrument, S.c.item, S.c.subject_key)

        def first(where: ColumnElement[bool], *order: ColumnElement[Any]):
            rank = func.row_number().over(partition_by=keys, order_by=order).label("rank")
            ranked = select(*keys, S.c.occurred_at, S.c.score, rank).where(where).subquery()
            return select(*(c for c in ranked.c if c.name != "rank")).where(ranked.c.rank == 1).subquery()

        start, end = self.period.start, self.period.end
        b = first(and_(S.c.baseline.is_(True), S.c.occurred_at < end), S.c.occurred_at, S.c.event_id)
        f = first(and_(S.c.baseline.is_(False), S.c.occurred_at >= start, S.c.occurred_at < end),
                  S.c.occurred_at.desc(), S.c.event_id)
        query = (select(f.c.statement, f.c.instrument, f.c.item, f.c.subject_key, b.c.score, f.c.score)
                 .join_from(f, b, and_(*(b.c[k.name] == f.c[k.name] for k in keys)))
                 .where(b.c.occurred_at <= f.c.occurred_at))
        return self.connection.execute(query)

    def _pairs_sqlite(self):
        """One pass over the index, person by person: SQLite's windows and joins over the two sides
        took three times as long. Each side's choice is the least (or greatest) of "time, id, score"
        written as text (time as stored, 26 characters; the id in 12 digits, counted down from
        10^12 - 1 for the follow-up so that the earlier recorded of two at the same moment wins;
        the score with 17 significant digits, which gives back the same float)."""
        sql = f"""
            SELECT statement, instrument, item, subject_key,
                   min(CASE WHEN baseline = 1
                       THEN occurred_at || printf('%0{ID_DIGITS}d%!.17g', event_id, score) END) AS first,
                   max(CASE WHEN baseline = 0 AND occurred_at >= :start
                       THEN occurred_at || printf('%0{ID_DIGITS}d%!.17g', {10 ** ID_DIGITS - 1} - event_id, score) END) AS last
            FROM dataset_score WHERE occurred_at < :end
            GROUP BY statement, instrument, item, subject_key
            HAVING first IS NOT NULL AND last IS NOT NULL AND substr(first, 1, {MOMENT}) <= substr(last, 1, {MOMENT})"""
        rows = self.connection.execute(text(sql).bindparams(bindparam("start", self.period.start, UTCDateTime),
                                                            bindparam("end", self.period.end, UTCDateTime)))
        cut = MOMENT + ID_DIGITS
        return [(statement, instrument, item, subject, first[cut:], last[cut:])
                for statement, instrument, item, subject, first, last in rows]


def _sqlite_json(value: Any, kind: str) -> Any:
    """A value from SQLite's json_each as Python: arrays and objects come as JSON text, true as 1."""
    if kind in ("array", "object"):
        return json.loads(value)
    return {"true": True, "false": False, "null": None}.get(kind, value)
