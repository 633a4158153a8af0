"""Benchmark: generate N data set events for M people, then time the export and the report.

    python -m bench.dataset_bench                         # 1,000,000 events, 50,000 people, SQLite and PostgreSQL
    python -m bench.dataset_bench --events 100000 --people 5000 --only sqlite
    CYSWLLT_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres  (the server to create a database on)

It prints one line per step with the time taken; nothing here is a pass/fail threshold.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func, select, text

from bench.synthetic_events import events, load
from bot.catalog import Catalog
from bot.report.builder import as_html, as_json, compute
from storage.dataset.catalogue import load_catalogue
from storage.dataset.export import export_events
from storage.dataset.period import Period
from storage.dataset.pseudonym import Pseudonymiser
from storage.db import make_engine, upgrade
from storage.models import DataSetEvent

ADMIN_URL = os.environ.get("CYSWLLT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PERIOD = Period.of_days(date(2025, 4, 1), date(2026, 3, 31))


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"  {label:<38} {elapsed:8.2f} s", flush=True)
    return result, elapsed


def run_on(name: str, url: str, people: int, total: int, out_dir: Path) -> dict[str, float]:
    print(f"{name}: {total:,} events for {people:,} people", flush=True)
    engine = make_engine(url)
    upgrade(engine)
    figures: dict[str, float] = {}
    try:
        count, figures["generate"] = timed("generate and bulk-load", lambda: load(engine, events(people, total)))
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE dataset_event"))
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(DataSetEvent))
        assert stored == count == total, (stored, count, total)
        catalogue = load_catalogue()
        pseudonymise = Pseudonymiser("benchmark-secret-not-for-production")
        result, figures["export_csv"] = timed("export CSV", lambda: export_events(
            engine, PERIOD, out_dir / f"{name}.csv", "csv", pseudonymise, catalogue))
        print(f"    {result.rows:,} rows, {result.path.stat().st_size / 1e6:.0f} MB", flush=True)
        result, figures["export_parquet"] = timed("export parquet", lambda: export_events(
            engine, PERIOD, out_dir / f"{name}.parquet", "parquet", pseudonymise, catalogue))
        print(f"    {result.rows:,} rows, {result.path.stat().st_size / 1e6:.0f} MB", flush=True)
        numbers, figures["report_figures"] = timed("report figures (read and fold)", lambda: compute(
            engine, PERIOD, catalogue))
        now = datetime.now(timezone.utc)
        _, figures["report_json"] = timed("report JSON", lambda: as_json(numbers, now))
        page, figures["report_html"] = timed("report HTML, both languages, charts", lambda: as_html(
            numbers, Catalog.load(), catalogue, ("cy", "en"), "Cyswllt", now))
        (out_dir / f"{name}.html").write_text(page, encoding="utf-8")
        print(f"    people {numbers['people']:,}; referrals {numbers['how_much']['referrals']['total']:,}; "
              f"page {len(page) / 1e6:.1f} MB", flush=True)
    finally:
        engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", type=Path, help="keep the outputs (CSV, parquet, HTML) in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cyswllt-bench-") as scratch:
        out_dir = args.keep or Path(scratch)
        out_dir.mkdir(parents=True, exist_ok=True)
        if args.only in (None, "sqlite"):
            run_on("sqlite", f"sqlite:///{Path(scratch) / 'bench.sqlite3'}", args.people, args.events, out_dir)
        if args.only in (None, "postgresql"):
            admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
            database = f"cyswllt_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            try:
                run_on("postgresql", ADMIN_URL.rsplit("/", 1)[0] + "/" + database, args.people, args.events, out_dir)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
