"""The report's reads: each one a GROUP BY in the database, so Python sees counts, not a million events.

Every query reads the columns storage/dataset/promoted.py copies out of an event's JSON (a query
over JSON text parses every value), through the index on (statement, occurred_at, subject_key).
The few JSON reads left are over small sets: each person's latest statement 36, the lists in
51/108/80/81/112 (expanded by the database), and ONS-4's four items.

"Latest" is by time, then by id (the later recorded of two at the same moment).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import (
    BigInteger, Connection, Float, String, and_, bindparam, case, cast, distinct, func, literal, literal_column, or_, select, text, true,
)
from sqlalchemy.sql.elements import ColumnElement

from storage.dataset.period import Period
from storage.dataset.promoted import INSTRUMENTS
from storage.models import DataSetEvent
from storage.models.base import UTCDateTime

E = DataSetEvent.__table__
# "YYYY-MM-DD HH:MM:SS.ffffff" (how SQLite stores a UTCDateTime, and how it is written for PostgreSQL).
MOMENT = 26
ID_DIGITS = 12
ID_LIMIT = literal(10 ** ID_DIGITS - 1, BigInteger)   # ids counted down from here sort reversed
SQLITE_MMAP = 1 << 30
# The JSON field each list statement names its items in.
LISTS = {51: "reasons", 108: "themes", 80: "barriers", 81: "barriers", 112: "activity_types"}


@dataclass(frozen=True)
class Pair:
    subject: str
    baseline: float
    follow_up: float


class Reader:
    """One period's aggregates, read on one connection."""

    def __init__(self, connection: Connection, period: Period):
        self.connection = connection
        self.period = period
        self.postgres = connection.dialect.name == "postgresql"
        if not self.postgres:
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
        query = select(func.count(distinct(E.c.subject_key))).where(self.within(*statements), *where)
        return self.connection.execute(query).scalar_one()

    def events(self, statement: int) -> int:
        return self.connection.execute(select(func.count()).where(self.within(statement))).scalar_one()

    def people_each(self, statements: Iterable[int]) -> Counter[int]:
        """Distinct people per statement."""
        query = (select(E.c.statement, func.count(distinct(E.c.subject_key)))
                 .where(self.within(*statements)).group_by(E.c.statement))
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
        return [(datetime.strptime(h, "%Y-%m-%d %H").replace(tzinfo=timezone.utc), n) for h, n in rows]

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
            sql = (f"SELECT item, COUNT(DISTINCT e.subject_key) FROM dataset_event e "
                   f"CROSS JOIN LATERAL jsonb_array_elements_text(e.value -> '{field}') AS item "
                   f"WHERE {where} AND jsonb_typeof(e.value -> '{field}') = 'array' "
                   f"GROUP BY item")
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
        single = [s for s, items in INSTRUMENTS.items() if items == ("score",)]
        query = (select(E.c.statement, E.c.instrument)
                 .where(E.c.statement.in_(single), E.c.occurred_at < until, E.c.amount.isnot(None))
                 .group_by(E.c.statement, E.c.instrument))
        found = [(s, i, "score") for s, i in self.connection.execute(query)]
        for statement, items in INSTRUMENTS.items():
            if items == ("score",):
                continue
            instruments = self.connection.execute(
                select(E.c.instrument).where(E.c.statement == statement, E.c.occurred_at < until)
                .group_by(E.c.instrument)).scalars().all()
            for instrument in instruments:
                # The items are in the JSON: stop at the first event that scores each.
                found += [(statement, instrument, item) for item in items if self.connection.execute(
                    select(E.c.id).where(E.c.statement == statement, E.c.instrument == instrument,
                                         E.c.occurred_at < until, self.json_number(item).isnot(None)).limit(1)
                ).first()]
        return found

    def pairs(self, measures: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], list[Pair]]:
        """For each measure, each person's earliest baseline (before the period ends) and latest
        follow-up in the period, where the baseline came first.

        The one-score questionnaires are paired in one pass over their events, and ONS-4's four
        items (in the JSON: an item can be skipped at one wave and not another) in another.
        """
        measures = list(measures)
        out: dict[tuple[int, str, str], list[Pair]] = {key: [] for key in measures}
        for statement in sorted({s for s, _, _ in measures}, key=lambda s: INSTRUMENTS[s] == ("score",)):
            if INSTRUMENTS[statement] != ("score",):
                rows = self._paired(E.c.statement == statement, items=INSTRUMENTS[statement])
                for key, pair in rows:
                    if key in out:
                        out[key].append(pair)
        single = sorted({s for s, _, item in measures if item == "score"})
        if single:
            for key, pair in self._paired(E.c.statement.in_(single)):
                if key in out:
                    out[key].append(pair)
        return out

    def _paired(self, *where: ColumnElement[bool], items: Sequence[str] = ()) -> list[tuple[tuple, Pair]]:
        """One GROUP BY over the events, then the two chosen events read by id.

        Each person's earliest baseline is the least of "time, then id" over their baselines, and
        their latest follow-up the greatest of "time, then id reversed" over their follow-ups (the
        earlier recorded of two at the same moment): written as fixed-width text, both are a plain
        MIN and MAX, with no window and no sort of the events. With `items`, each event's JSON
        object is expanded once and each numeric item is paired on its own.
        """
        start, end = self.period.start, self.period.end
        baseline = and_(E.c.wave == "baseline", E.c.occurred_at < end)
        follow_up = and_(or_(E.c.wave.is_(None), E.c.wave != "baseline"), E.c.occurred_at >= start,
                         E.c.occurred_at < end)
        first = func.min(case((baseline, self._moment(E.c.id))))
        last = func.max(case((follow_up, self._moment(ID_LIMIT - E.c.id))))
        keys = [E.c.statement, E.c.instrument, E.c.subject_key]
        source, scored = E, [E.c.amount.isnot(None)]
        if items:
            fields = (func.jsonb_each(E.c.value).table_valued("key", "value").lateral("item") if self.postgres
                      else func.json_each(E.c.value).table_valued("key", "type").alias("item"))
            number = (func.jsonb_typeof(fields.c.value) == "number") if self.postgres \
                else fields.c.type.in_(("integer", "real"))
            source = E.join(fields, true()) if self.postgres else E.join(fields, true())
            scored = [fields.c.key.in_(items), number]
            keys.append(fields.c.key.label("item"))
        chosen = (select(*keys, first.label("first"), last.label("last")).select_from(source)
                  .where(*where, *scored, or_(baseline, follow_up))
                  .group_by(*keys)
                  .having(and_(first.isnot(None), last.isnot(None),
                               func.substr(first, 1, MOMENT) <= func.substr(last, 1, MOMENT)))
                  ).subquery()
        b, f = E.alias("b"), E.alias("f")
        if items:
            b_score, f_score = self._json_item(b, chosen.c.item), self._json_item(f, chosen.c.item)
            item = chosen.c.item
        else:
            b_score, f_score, item = b.c.amount, f.c.amount, literal_column("'score'")
        b_id = cast(func.substr(chosen.c.first, MOMENT + 1), BigInteger)
        f_id = ID_LIMIT - cast(func.substr(chosen.c.last, MOMENT + 1), BigInteger)
        query = (select(chosen.c.statement, chosen.c.instrument, item, chosen.c.subject_key, b_score, f_score)
                 .join_from(chosen, b, b.c.id == b_id).join(f, f.c.id == f_id))
        return [((statement, instrument, name), Pair(subject, float(before), float(after)))
                for statement, instrument, name, subject, before, after in self.connection.execute(query).all()]

    def _json_item(self, table, item: ColumnElement[str]) -> ColumnElement[Any]:
        """The number under the key `item` (a column) of an event's JSON."""
        if self.postgres:
            return cast(table.c.value.op("->>")(item), Float)
        return func.json_extract(table.c.value, literal_column("'$.'").op("||")(item))

    def _moment(self, number: ColumnElement[int]) -> ColumnElement[str]:
        """occurred_at then a number, as fixed-width text that sorts as the pair does."""
        if self.postgres:
            return func.concat(func.to_char(E.c.occurred_at, "YYYY-MM-DD HH24:MI:SS.US"),
                               func.lpad(cast(number, String), ID_DIGITS, "0"))
        return func.substr(E.c.occurred_at, 1, MOMENT).op("||")(func.printf(f"%0{ID_DIGITS}d", number))

    def json_number(self, item: str, table=E) -> ColumnElement[Any]:
        """A numeric JSON field of `value`, or NULL (ONS-4's items, the only scores not promoted)."""
        value = table.c.value
        if self.postgres:
            return case((func.jsonb_typeof(value[item]) == "number", cast(value[item].as_string(), Float)))
        path = literal_column(f"'$.{item}'")
        return case((func.json_type(value, path).in_(("integer", "real")), func.json_extract(value, path)))


def _sqlite_json(value: Any, kind: str) -> Any:
    """A value from SQLite's json_each as Python: arrays and objects come as JSON text, true as 1."""
    if kind in ("array", "object"):
        return json.loads(value)
    return {"true": True, "false": False, "null": None}.get(kind, value)
