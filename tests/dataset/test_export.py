"""The export: one row per event in the period, keyed pseudonyms stable across exports, a data dictionary."""
from __future__ import annotations

import csv
import hashlib
import hmac
import json

import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session

from bot.cli import main
from storage.db import make_engine
from storage.models import DataSetEvent
from tests.dataset.fixture_events import A, EVENTS, PERIOD, insert

KEY = "a-long-enough-test-secret"
IN_PERIOD = [e for e in EVENTS if PERIOD.start <= e[2] < PERIOD.end]


@pytest.fixture
def filled(database_url, monkeypatch):
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        insert(session)
    engine.dispose()
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", database_url)
    monkeypatch.setenv("CYSWLLT_DATASET_PSEUDONYM_KEY", KEY)
    return database_url


def export(tmp_path, name, *extra):
    out = tmp_path / name
    assert main(["dataset", "export", "--from", "2026-03-02", "--to", "2026-03-15", "--out", str(out), *extra]) == 0
    return out


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_one_pseudonymised_row_per_event_in_the_period(filled, tmp_path):
    rows = read_csv(export(tmp_path, "events.csv"))
    assert len(rows) == len(IN_PERIOD)
    assert list(rows[0]) == ["event_id", "statement", "subject", "occurred_on", "channel", "language", "source", "value"]
    expected = hmac.new(KEY.encode(), A.encode(), hashlib.sha256).hexdigest()[:32]
    a_rows = [r for r in rows if r["subject"] == expected]
    assert len(a_rows) == sum(1 for e in IN_PERIOD if e[1] == A)
    stored_keys = {e[1] for e in EVENTS}
    assert not stored_keys & {r["subject"] for r in rows}, "the stored subject key must not leave the database"
    first = min(IN_PERIOD, key=lambda e: e[2])
    assert rows[0]["occurred_on"] == first[2].date().isoformat()
    assert json.loads(next(r["value"] for r in rows if r["statement"] == "47")) in ({"days": 2}, {"days": 4},
                                                                                     {"days": 6}, {"days": 10})


def test_pseudonyms_are_stable_across_exports_and_change_with_the_key(filled, tmp_path, monkeypatch):
    first = {r["event_id"]: r["subject"] for r in read_csv(export(tmp_path, "one.csv"))}
    second = {r["event_id"]: r["subject"] for r in read_csv(export(tmp_path, "two.csv"))}
    assert first == second
    monkeypatch.setenv("CYSWLLT_DATASET_PSEUDONYM_KEY", "another-secret-of-some-length")
    third = {r["event_id"]: r["subject"] for r in read_csv(export(tmp_path, "three.csv"))}
    # A new key changes both the subjects and the event ids: nothing pairs up with the old export.
    assert len(third) == len(first) and not set(third.values()) & set(first.values())
    assert not set(third) & set(first)


def test_parquet_holds_the_same_rows_with_types(filled, tmp_path):
    csv_rows = read_csv(export(tmp_path, "events.csv"))
    table = pq.read_table(export(tmp_path, "events.parquet"))
    assert table.num_rows == len(csv_rows)
    assert str(table.schema.field("occurred_on").type) == "date32[day]"
    assert table.column("subject").to_pylist() == [r["subject"] for r in csv_rows]
    assert [json.loads(v) for v in table.column("value").to_pylist()] == [json.loads(r["value"]) for r in csv_rows]


def test_a_data_dictionary_is_written_beside_the_file(filled, tmp_path):
    export(tmp_path, "events.csv")
    dictionary = (tmp_path / "events.dictionary.md").read_text(encoding="utf-8")
    assert "| subject |" in dictionary and "HMAC-SHA256" in dictionary
    assert "| 91 | 6 | Changes to mental wellbeing (using a validated tool(s)) |" in dictionary
    assert "`wave` enum (baseline, 6w, 12w)" in dictionary


def test_an_empty_period_still_writes_both_formats(filled, tmp_path):
    out = tmp_path / "empty.parquet"
    assert main(["dataset", "export", "--from", "2020-01-01", "--to", "2020-01-02", "--out", str(out)]) == 0
    assert pq.read_table(out).num_rows == 0


def test_a_missing_secret_is_named(filled, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CYSWLLT_DATASET_PSEUDONYM_KEY")
    assert main(["dataset", "export", "--from", "2026-03-02", "--to", "2026-03-15",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert "CYSWLLT_DATASET_PSEUDONYM_KEY" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_the_export_cannot_be_joined_back_to_the_database_without_the_key(filled, tmp_path):
    rows = read_csv(export(tmp_path, "events.csv"))
    engine = make_engine(filled)
    with engine.connect() as connection:
        stored = connection.execute(DataSetEvent.__table__.select()).mappings().all()
    engine.dispose()
    ids = {str(r["id"]) for r in stored}
    times = set()
    for r in stored:
        moment = r["occurred_at"]
        times |= {moment.isoformat(), moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), moment.strftime("%Y-%m-%d %H:%M:%S")}
    by_id = [r for r in rows if r["event_id"] in ids]
    assert not by_id, f"export ids are database keys: {by_id[:3]}"
    time_column = "occurred_on"
    by_time = [r for r in rows if r[time_column] in times]
    assert not by_time, f"export times equal stored times: {by_time[:3]}"
    # Coarsened to the day, so no time of day is left to match on.
    assert all(len(r[time_column]) == len("2026-03-02") for r in rows)
    # Row order within a day does not follow the order the events were stored in.
    day = [r for r in rows if r[time_column] == rows[0][time_column]]
    assert len(day) > 3 and [r["event_id"] for r in day] == sorted(r["event_id"] for r in day)
