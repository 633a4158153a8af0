"""Benchmark: the report (figures and the bilingual HTML page) on 1,000,000 data set events.

    python -m bench.report_bench                      # 1,000,000 events, 50,000 people, SQLite and PostgreSQL
    python -m bench.report_bench --events 100000 --only sqlite
    python -m bench.report_bench --database sqlite:////tmp/events.sqlite3   # a database already loaded (kept)
    CYSWLLT_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres  (the server to create a database on)

Issue 17's target is a report built in at most 10 s on either database; this prints the figures
(read and fold, the quotes, and the page in both languages with its charts) and their total, with
the CPU time beside the wall time (this process's, which on SQLite includes the database's work,
and on PostgreSQL the report's server process's too) and the load average: on a shared machine the
wall time is mostly the others' load. It is a measurement, not a pass/fail test: the figures go in
docs/dataset/report.md and bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, event, text

from bench.dataset_bench import PERIOD
from bench.synthetic_events import events, load
from bot.catalog import Catalog
from bot.report import charts
from bot.report.builder import as_html, compute
from storage.dataset.catalogue import load_catalogue
from storage.db import make_engine, upgrade

ADMIN_URL = os.environ.get("CYSWLLT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET_SECONDS = 10.0


class ServerCpu:
    """CPU seconds used so far by the PostgreSQL server processes serving this engine (same machine)."""

    def __init__(self, engine: Engine):
        self.pids: set[int] = set()
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", self._remember)

    def _remember(self, dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        self.pids.add(cursor.fetchone()[0])
        cursor.close()

    def __call__(self) -> float:
        used = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return used


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_on(name: str, url: str, people: int, total: int, out_dir: Path, rounds: int,
           existing: bool = False) -> list[float]:
    engine = make_engine(url)
    server_cpu = ServerCpu(engine)
    totals = []
    try:
        if existing:
            with engine.connect() as connection:
                total = connection.execute(text("SELECT count(*) FROM dataset_event")).scalar_one()
            print(f"{name}: {total:,} events already in the database", flush=True)
        else:
            print(f"{name}: {total:,} events for {people:,} people", flush=True)
            upgrade(engine)
            _load(engine, people, total)
        catalogue, catalog = load_catalogue(), Catalog.load()
        for round_number in range(1, rounds + 1):
            # Every round draws its charts, as `cyswllt report` does: the charts' cache (which
            # spares drawing a chart twice when both languages show the same image) starts empty.
            charts._bars.cache_clear()
            load_before = load_average()
            began, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
            figures = compute(engine, PERIOD, catalogue)
            folded, folded_cpu, folded_server = time.perf_counter(), time.process_time(), server_cpu()
            page = as_html(figures, catalog, catalogue, ("cy", "en"), "Cyswllt", datetime.now(timezone.utc))
            done, done_cpu = time.perf_counter(), time.process_time()
            totals.append(done - began)
            print(f"  round {round_number}: figures {folded - began:6.2f} s, page (cy+en, charts) "
                  f"{done - folded:5.2f} s, total {done - began:6.2f} s "
                  f"({'within' if done - began <= TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS:.0f} s target)",
                  flush=True)
            server_part = (f" + database server {folded_server - server:.2f} s"
                           if engine.dialect.name == "postgresql" else " (the database's work included)")
            print(f"           CPU: figures {folded_cpu - cpu:.2f} s{server_part}, page {done_cpu - folded_cpu:.2f} s; "
                  f"load average {load_before} -> {load_average()}", flush=True)
        (out_dir / f"{name}.html").write_text(page, encoding="utf-8")
        print(f"  people {figures['people']:,}; page {len(page) / 1e6:.1f} MB", flush=True)
    finally:
        engine.dispose()
    return totals


def _load(engine: Engine, people: int, total: int) -> None:
    started = time.perf_counter()
    load(engine, events(people, total))
    if engine.dialect.name == "sqlite":
        # As a database in use would be: the bulk load's write-ahead log folded into the file
        # (mapped reads do not reach pages still in the log), and the planner's statistics.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    if engine.dialect.name == "postgresql":
        # As autovacuum would after a bulk load: statistics, and the visibility map that lets
        # the report's queries read its index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE dataset_event, dataset_score"))
    print(f"  generated and loaded in {time.perf_counter() - started:.1f} s (not part of the report)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", type=Path, help="keep the HTML pages in this folder")
    parser.add_argument("--database", help="time the report on this database, already loaded and migrated "
                                           "(nothing is loaded or dropped)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cyswllt-report-bench-") as scratch:
        out_dir = args.keep or Path(scratch)
        out_dir.mkdir(parents=True, exist_ok=True)
        if args.database:
            name = make_engine(args.database).dialect.name
            run_on(name, args.database, args.people, args.events, out_dir, args.rounds, existing=True)
            return 0
        if args.only in (None, "sqlite"):
            run_on("sqlite", f"sqlite:///{Path(scratch) / 'bench.sqlite3'}", args.people, args.events, out_dir,
                   args.rounds)
        if args.only in (None, "postgresql"):
            admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
            database = f"cyswllt_report_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            try:
                run_on("postgresql", ADMIN_URL.rsplit("/", 1)[0] + "/" + database, args.people, args.events,
                       out_dir, args.rounds)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
