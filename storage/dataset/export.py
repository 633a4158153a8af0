"""Export data set events, one row per event, pseudonymised, with a data dictionary beside the file."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, Text, cast, select

from storage.dataset.catalogue import Catalogue
from storage.dataset.period import Period
from storage.dataset.pseudonym import Pseudonymiser
from storage.models import DataSetEvent

FORMATS = ("csv", "parquet")
COLUMNS = ("event_id", "statement", "subject", "occurred_on", "channel", "language", "source", "value")
BATCH = 20_000
COLUMN_MEANINGS = {
    "event_id": "the event's id in exports: a keyed hash (HMAC-SHA256 under the exporter's secret, first 20 "
                "hex digits), the same in every export made with the same secret, not the database's key",
    "statement": "the Appendix Five statement number the event is evidence for (integer)",
    "subject": "a pseudonym for the person: HMAC-SHA256 of the stored subject key under the "
               "exporter's secret, first 32 hex digits; the same person has the same subject in every "
               "export made with the same secret, and it cannot be reversed without the database",
    "occurred_on": "the day it happened, in Wales (YYYY-MM-DD; parquet: date); no time of day is exported, "
                   "and rows within a day are in no meaningful order",
    "channel": "how the person was talking to us: sms, telegram or console",
    "language": "the person's language at the time: cy or en",
    "source": "the flow that recorded it",
    "value": "what was recorded, as a JSON object; its keys for each statement are listed below",
}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    dictionary: Path
    rows: int
    statements: dict[int, int]


def dictionary_path(out: Path) -> Path:
    return out.with_name(out.stem + ".dictionary.md")


def _rows(engine: Engine, period: Period) -> Iterator[tuple]:
    table = DataSetEvent.__table__
    # The value is read as its JSON text: decoding and re-encoding a million dicts is wasted work.
    query = (
        select(table.c.id, table.c.statement, table.c.subject_key, table.c.occurred_at, table.c.channel,
               table.c.language, table.c.source, cast(table.c.value, Text))
        .where(table.c.occurred_at >= period.start, table.c.occurred_at < period.end)
        .order_by(table.c.occurred_at, table.c.id)
    )
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=BATCH, stream_results=True).execute(query)
        for partition in result.partitions():
            yield from partition


def export_events(engine: Engine, period: Period, out: Path, fmt: str, pseudonymise: Pseudonymiser,
                  catalogue: Catalogue) -> ExportResult:
    """Write the period's events to `out` as CSV or parquet, and the data dictionary beside it."""
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {FORMATS}, got {fmt!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[int, int] = {}
    writer = _write_csv if fmt == "csv" else _write_parquet
    rows = writer(_coarsened(_counted(_rows(engine, period), counts, pseudonymise), ZoneInfo(period.zone)), out)
    dictionary = dictionary_path(out)
    dictionary.write_text(render_dictionary(period, fmt, counts, catalogue), encoding="utf-8")
    return ExportResult(out, dictionary, rows, counts)


def _counted(rows: Iterator[tuple], counts: dict[int, int], pseudonymise: Pseudonymiser) -> Iterator[tuple]:
    for event_id, statement, subject_key, occurred_at, channel, language, source, value in rows:
        counts[statement] = counts.get(statement, 0) + 1
        yield (pseudonymise.event_id(event_id), statement, pseudonymise(subject_key), occurred_at, channel,
               language, source, value)


def _coarsened(rows: Iterator[tuple], zone: ZoneInfo) -> Iterator[tuple]:
    """Each event's time cut to its local day, and each day's rows in the order of their keyed ids.

    Exact times (to the microsecond) and the stored order would let anyone with the database
    join an export row back to the message that caused it, and so to the person.
    """
    days = groupby(rows, key=lambda row: _local_day(row[3], zone))
    for day, group in days:
        for row in sorted(group, key=lambda row: row[0]):
            yield (*row[:3], day, *row[4:])


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _write_csv(rows: Iterator[tuple], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow((*row[:3], row[3].isoformat(), *row[4:]))
            count += 1
    return count


def _write_parquet(rows: Iterator[tuple], out: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("event_id", pa.string()), ("statement", pa.int32()), ("subject", pa.string()),
        ("occurred_on", pa.date32()), ("channel", pa.string()),
        ("language", pa.string()), ("source", pa.string()), ("value", pa.string()),
    ])
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                writer.write_table(_table(batch, schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(_table(batch, schema))
            count += len(batch)
    return count


def _table(batch: list[tuple], schema):
    import pyarrow as pa

    columns = list(zip(*batch)) if batch else [[] for _ in COLUMNS]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)


def render_dictionary(period: Period, fmt: str, counts: dict[int, int], catalogue: Catalogue) -> str:
    """The data dictionary: what each column means and what each statement's value holds."""
    lines = [
        "# Cyswllt Core Data Set export: data dictionary",
        "",
        f"Period: {period.label()} (local days in Wales; UTC {_iso(period.start)} to {_iso(period.end)}, "
        "end excluded).",
        f"Format: {fmt}, one row per event. Rows: {sum(counts.values())}.",
        "Statement numbers and texts are those of Appendix Five of *Core Standards and Values for "
        "Social Prescribing in Wales* (Welsh Government, 2026).",
        "No names, addresses, phone numbers, NHS numbers or message text are exported.",
        "",
        "## Columns",
        "",
        "| column | meaning |",
        "|---|---|",
    ]
    lines += [f"| {name} | {COLUMN_MEANINGS[name]} |" for name in COLUMNS]
    lines += ["", "## Statements in this export", "", "| statement | rows | text | value keys |", "|---|---|---|---|"]
    for number in sorted(counts):
        statement = catalogue.statements.get(number)
        if statement is None:
            lines.append(f"| {number} | {counts[number]} | (not an Appendix Five statement) | |")
            continue
        keys = "; ".join(_describe(f) for f in statement.fields.values()) or "(none: the event itself is the fact)"
        lines.append(f"| {number} | {counts[number]} | {statement.text} | {keys} |")
    return "\n".join(lines) + "\n"


def _describe(spec) -> str:
    text = f"`{spec.name}` {spec.type}"
    if spec.values:
        text += " (" + ", ".join(spec.values) + ")"
    if spec.range:
        text += f" {spec.range[0]:g}–{spec.range[1]:g}"
    if spec.better:
        text += f", {spec.better} is better"
    return text
