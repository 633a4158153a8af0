"""Side by side, interleaved: Cyswllt checkouts (and the Rasa peer) on the same ONS-4 check-in over HTTP.

    .venv/bin/python bench/side_by_side.py --app before=/tmp/core-before --app after=. \\
        [--rasa http://127.0.0.1:5917] [--workers 1,8,16] [--people 200] [--repeat 3] [--db sqlite|postgresql]
        [--serve-workers 2]

Uses the shared peer bench (../shared/peer-bench/turn_load_cyswllt.py: fake Twilio, `cyswllt serve`,
the check-in script) for each checkout, all servers started once; then, per repeat, runs every
system at every concurrency level in turn (peer, app 1, app 2, ...), so a noisy minute on this
shared machine hits all of them. Besides turns/s and p99 it reads the server's CPU (utime + stime
of `cyswllt serve` and its children, from /proc) per turn, which swings far less than wall-clock
rates, and its RSS at the end. Prints one JSON line per run, then a summary table (medians).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

PEER_BENCH = Path(__file__).resolve().parents[2] / "shared" / "peer-bench"
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime, stime
        except OSError:
            pass
    return total * TICK_MS


def driver_cpu_ms() -> float:
    """This process's CPU: the load's client threads and, for Cyswllt, the fake Twilio they talk to.
    It shares the machine's cores with the server, so it bounds what any server can show here."""
    times = os.times()
    return (times.user + times.system) * 1000


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def rasa_pids(port: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(b"rasa" in c for c in cmd) and str(port).encode() in cmd:
                found.append(int(proc.name))
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", action="append", required=True, help="NAME=DIR of a Cyswllt checkout")
    ap.add_argument("--rasa", default=None, help="a running peer (rasa run --enable-api), e.g. http://127.0.0.1:5917")
    ap.add_argument("--workers", default="1,8,16")
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--serve-workers", type=int, default=1,
                    help="`cyswllt serve --workers N` processes (PostgreSQL only; SQLite runs one)")
    a = ap.parse_args()
    sys.path.insert(0, str(PEER_BENCH))
    import turn_load   # noqa: E402 - the peer's own driver
    import turn_load_cyswllt as cy   # noqa: E402

    harnesses = {}
    created: list[str] = []   # PostgreSQL databases made for this run, dropped at the end
    for spec in a.app:
        name, _, directory = spec.partition("=")
        if a.db == "sqlite":
            db = f"sqlite:////tmp/side-by-side-{name}-{uuid.uuid4().hex[:6]}.sqlite3"
        else:
            created.append(f"sbs_{name}_{uuid.uuid4().hex[:6]}".replace("-", "_"))
            db = _new_postgres(created[-1])
        # Each checkout imports its own tests.support.fake_twilio: start them one at a time.
        sys.modules.pop("tests.support.fake_twilio", None), sys.modules.pop("tests.support", None)
        sys.modules.pop("tests", None)
        serve_args = ("--workers", str(a.serve_workers)) if a.serve_workers > 1 else ()
        h = cy.Harness(os.path.abspath(directory), db, f"/tmp/side-by-side-{name}.log", serve_args=serve_args)
        sys.path.remove(os.path.abspath(directory))
        harnesses[name] = (h, cy.calibrate(h, f"+44{9999}{len(harnesses):02d}99999"))
    results: list[dict] = []
    run = 0
    try:
        for repeat in range(a.repeat):
            for workers in (int(w) for w in a.workers.split(",")):
                if a.rasa:
                    pids = rasa_pids(int(a.rasa.rsplit(":", 1)[1]))
                    before, driver_before = cpu_ms(pids), driver_cpu_ms()
                    out = _run_peer(turn_load, a.rasa, a.people, workers)
                    out.update(system="peer", repeat=repeat, cpu_ms_per_turn=round(
                        (cpu_ms(pids) - before) / max(1, out["turns"]), 2), rss_mb=rss_mb(pids),
                        driver_cpu_ms_per_turn=round((driver_cpu_ms() - driver_before) / max(1, out["turns"]), 2))
                    print(json.dumps(out), flush=True)
                    results.append(out)
                # Every other repeat runs them in reverse, so none always runs first (an order
                # effect of up to 1.5x was seen on PostgreSQL at 16 clients).
                names = list(harnesses)
                for name in names if repeat % 2 == 0 else names[::-1]:
                    h, counts = harnesses[name]
                    run += 1
                    pids = h.pids()
                    before, driver_before = cpu_ms(pids), driver_cpu_ms()
                    out = cy.run_load(h, a.people, workers, f"{run % 10000:04d}{repeat:02d}", counts)
                    out.pop("addresses")
                    out.update(system=name, repeat=repeat, cpu_ms_per_turn=round(
                        (cpu_ms(pids) - before) / max(1, out["turns"]), 2), rss_mb=rss_mb(h.pids()),
                        driver_cpu_ms_per_turn=round((driver_cpu_ms() - driver_before) / max(1, out["turns"]), 2))
                    print(json.dumps(out), flush=True)
                    results.append(out)
    finally:
        for h, _ in harnesses.values():
            h.stop()
        for name in created:
            _drop_postgres(name)
    _summary(results, a)


def _run_peer(turn_load, base: str, people: int, workers: int) -> dict:
    lat, errors = [], []
    t0 = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(workers) as ex:
        done = list(ex.map(lambda i: turn_load.rasa_person(base, f"{uuid.uuid4().hex[:6]}{i}", lat, errors),
                           range(people)))
    wall = time.perf_counter() - t0
    lat.sort()
    return {"workers": workers, "turns": len(lat), "errors": len(errors),
            "completed": sum(1 for r in done if r and "Thank you" in r[-1]),
            "turns_per_s": round(len(lat) / wall, 1), "p99_ms": round(lat[int(0.99 * (len(lat) - 1))], 1)}


def _new_postgres(name: str) -> str:
    import psycopg
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop_postgres(name: str) -> None:
    import psycopg
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _summary(results: list[dict], a) -> None:
    systems = list(dict.fromkeys(r["system"] for r in results))
    print("\n| system | clients | turns/s | p99 ms | CPU ms/turn | driver CPU ms/turn | RSS MB "
          "| x peer (median of per-repeat ratios) |")
    print("|---|---|---|---|---|---|---|---|")
    for workers in (int(w) for w in a.workers.split(",")):
        for system in systems:
            rs = [r for r in results if r["system"] == system and r["workers"] == workers]
            ratio = ""
            if system != "peer" and "peer" in systems:
                pairs = [(r["turns_per_s"], p["turns_per_s"]) for r in rs for p in results
                         if p["system"] == "peer" and p["workers"] == workers and p["repeat"] == r["repeat"]]
                ratio = f"{statistics.median(x / y for x, y in pairs):.1f}x" if pairs else ""
            print(f"| {system} | {workers} | {_median(rs, 'turns_per_s'):.1f} | {_median(rs, 'p99_ms'):.0f} | "
                  f"{_median(rs, 'cpu_ms_per_turn'):.2f} | {_median(rs, 'driver_cpu_ms_per_turn'):.2f} | "
                  f"{_median(rs, 'rss_mb'):.0f} | {ratio} |")


def _median(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else float("nan")


if __name__ == "__main__":
    main()
