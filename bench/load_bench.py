"""Load test of the whole app: ramp the offered load until it saturates (issue 9, item 5).

    python bench/load_bench.py                                  # PostgreSQL with 2 workers, then SQLite with 1
    python bench/load_bench.py --db postgresql --workers 4 --rates 50,100,200,400 --step-seconds 10

`cyswllt serve --workers N` runs as its own processes (PostgreSQL; SQLite runs one worker),
with the outbox senders and scheduler, against fake Telegram and Twilio servers on loopback
(provider limits lifted, so the app and the database are measured, not the providers). Simulated
people send signed Twilio webhooks open-loop: at each step new messages are offered at a fixed
rate whatever happened to earlier ones; a person sends their next message once the replies
to the last have arrived, and new people join when everyone is busy. Per step it prints the
offered rate, the sustained rate (turns answered per second during the step), turn latency
p50/p99 (webhook sent to the first reply handed to the provider), turns not answered within
the drain time, and the step where the app saturated: answered below 90% of offered, or p99
above `--p99-limit-ms`.

The load generator runs on the same machine as the app (2 cores here): it takes CPU too.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.channels_bench import SCRIPT, Conversations, Serve, database, percentile, post  # noqa: E402
from storage.db import make_engine  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402
from tests.support.fake_twilio import FakeTwilio  # noqa: E402

LIFTED = {"CYSWLLT_SENDER_TELEGRAM_PER_SECOND": "100000", "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_PER_SECOND": "1000",
          "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_BURST": "100", "CYSWLLT_SENDER_TWILIO_SEGMENTS_PER_SECOND": "100000"}


class Person:
    def __init__(self, address: str):
        self.address = address
        self.step = 0
        self.seen = 0


async def run_steps(serve: Serve, telegram: FakeTelegram, twilio: FakeTwilio, rates: list[float],
                    step_seconds: float, drain_seconds: float, p99_limit: float) -> list[dict]:
    conversations = Conversations(serve, telegram, twilio, "sms")
    results = []
    # aiohttp, as bench/channels_bench.py: httpx's pool cost this process as much CPU as the server's work.
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(base_url=serve.url, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as client:
        counts = await conversations.calibrate(client, "+447900000000")
        idle: deque[Person] = deque()
        made = 0

        async def turn(person: Person, record: list, acks: list) -> None:
            words = SCRIPT[person.step % len(SCRIPT)]
            count = counts[person.step % len(SCRIPT)]
            path, kwargs = conversations.request(person.address, words)
            sent = time.perf_counter()
            try:
                await post(client, path, kwargs)
                acked = time.perf_counter()
                first = await conversations._wait_count(person.address, person.seen + 1, timeout=drain_seconds + 60)
                record.append((sent, first))
                acks.append(acked - sent)
                person.seen += count
                await conversations._wait_count(person.address, person.seen, timeout=drain_seconds + 60)
            except (asyncio.TimeoutError, SystemExit):
                record.append((sent, None))
                return   # this person is left out of later steps: their count is unknown now
            person.step += 1
            idle.append(person)

        for rate in rates:
            record: list[tuple[float, float | None]] = []
            acks: list[float] = []
            tasks = []
            start = time.perf_counter()
            n = 0
            while (due := start + n / rate) < start + step_seconds:
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if idle:
                    person = idle.popleft()
                else:
                    made += 1
                    person = Person(f"+4479{made:08d}")
                tasks.append(asyncio.create_task(turn(person, record, acks)))
                n += 1
            end = start + step_seconds
            _, pending = await asyncio.wait(tasks, timeout=drain_seconds)
            answered_in_step = sum(1 for _, first in record if first is not None and first <= end)
            latencies = [first - sent for sent, first in record if first is not None]
            lost = n - len(latencies)
            result = {"offered": rate, "sent": n, "sustained": answered_in_step / step_seconds,
                      "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "unanswered": lost,
                      "ack_p50": percentile(acks, 50), "ack_p99": percentile(acks, 99)}
            result["saturated"] = result["sustained"] < 0.9 * rate or result["p99"] * 1000 > p99_limit or lost > 0
            results.append(result)
            print(f"    offered {rate:7.0f}/s: sustained {result['sustained']:7.1f} msgs/s; turn latency "
                  f"p50 {result['p50'] * 1000:7.1f} ms, p99 {result['p99'] * 1000:7.1f} ms (webhook answered "
                  f"p50 {result['ack_p50'] * 1000:.1f}, p99 {result['ack_p99'] * 1000:.1f} ms)"
                  f"{f'; {lost} not answered within {drain_seconds:g} s' if lost else ''}"
                  f"{'  <- saturated' if result['saturated'] else ''}", flush=True)
            if pending:
                await asyncio.wait(pending, timeout=60)
            if result["saturated"] and len([r for r in results if r["saturated"]]) >= 2:
                break
            await asyncio.sleep(1)   # let the outbox settle between steps
    return results


def summary(results: list[dict]) -> str:
    good = [r for r in results if not r["saturated"]]
    best = max(results, key=lambda r: r["sustained"])
    first_bad = next((r for r in results if r["saturated"]), None)
    held = f"held {good[-1]['offered']:g} msgs/s (p99 {good[-1]['p99'] * 1000:.0f} ms)" if good else "held no step"
    where = (f"saturated at {first_bad['offered']:g} offered ({first_bad['sustained']:.0f} sustained)"
             if first_bad else "did not saturate in the steps tried")
    return f"{held}; {where}; best sustained {best['sustained']:.0f} msgs/s"


def bench(kind: str, workers: int, rates: list[float], step_seconds: float, drain_seconds: float,
          p99_limit: float) -> None:
    with database(kind) as url:
        telegram, twilio = FakeTelegram(), FakeTwilio()
        args = ("--workers", str(workers)) if workers > 1 else ()
        serve = Serve(url, telegram, twilio, LIFTED, serve_args=args)
        try:
            print(f"== {kind}, {workers} worker{'s' if workers > 1 else ''}; {step_seconds:g} s a step", flush=True)
            results = asyncio.run(run_steps(serve, telegram, twilio, rates, step_seconds, drain_seconds, p99_limit))
        finally:
            serve.stop()
            telegram.close()
            twilio.close()
        engine = make_engine(url)
        with engine.connect() as connection:
            inbox = dict(connection.execute(text("SELECT status, count(*) FROM inbound_message GROUP BY status")).all())
            outbox = dict(connection.execute(text("SELECT status, count(*) FROM outbound_message GROUP BY status")).all())
        engine.dispose()
        print(f"  stored: inbox {inbox}; outbox {outbox}")
        print(f"  {kind}, {workers} worker(s): {summary(results)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="web workers on PostgreSQL (SQLite runs 1)")
    parser.add_argument("--rates", default="25,50,100,150,200,300,400,600",
                        help="offered messages/s at each step, comma-separated")
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument("--drain-seconds", type=float, default=15.0,
                        help="how long after a step its turns may still be answered")
    parser.add_argument("--p99-limit-ms", type=float, default=1000.0,
                        help="a step whose p99 is above this counts as saturated")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    kinds = ("postgresql", "sqlite") if args.db == "both" else (args.db,)
    for kind in kinds:
        bench(kind, args.workers if kind == "postgresql" else 1, rates, args.step_seconds, args.drain_seconds,
              args.p99_limit_ms)


if __name__ == "__main__":
    main()
