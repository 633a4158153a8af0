"""Benchmark: plan check-ins for many people, offer them, and drain the outbox at the providers' rate.

    python bench/checkins_bench.py [--people 100000] [--db URL] [--rate 1000] [--workers 1]

Prints the time to plan, the time for the due work to queue the offers, the send rate achieved
as a share of the allowed rate, and the number of lost and duplicated messages (both must be 0).
The providers here are an in-process rate-limited transport (a token bucket per channel at
--rate messages per second); the channels branch's fake Telegram/Twilio HTTP servers replace it
at merge. Nothing here is a test: it prints figures.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.bootstrap import build_app  # noqa: E402
from bot.checkins import plan_checkins  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.outbox import SendResult, deliver_due  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.models import Checkin, OutboundMessage, Person, PersonAddress  # noqa: E402

# A Monday at 10:00 in winter: inside the quiet hours, so offers may go at once.
START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class RateLimitedTransport:
    """Accepts messages no faster than `rate` per second per channel (a token bucket), and counts them."""

    def __init__(self, rate: float, burst: int = 50):
        self.rate = rate
        self.burst = burst
        self.tokens: dict[str, float] = collections.defaultdict(lambda: float(burst))
        self.last: dict[str, float] = {}
        self.keys: collections.Counter = collections.Counter()
        self.lock = threading.Lock()

    def send(self, message: OutboundMessage) -> SendResult:
        channel = message.channel
        while True:
            with self.lock:
                now = time.monotonic()
                elapsed = now - self.last.get(channel, now)
                self.last[channel] = now
                self.tokens[channel] = min(self.burst, self.tokens[channel] + elapsed * self.rate)
                if self.tokens[channel] >= 1:
                    self.tokens[channel] -= 1
                    self.keys[message.idempotency_key or f"id:{message.id}"] += 1
                    return SendResult(provider_id=f"bench-{message.id}")
                wait = (1 - self.tokens[channel]) / self.rate
            time.sleep(wait)


def create_people(app, count: int, batch: int = 5000) -> None:
    now = app.clock.now()
    done = 0
    while done < count:
        size = min(batch, count - done)
        with app.sessions.begin() as session:
            first = session.scalar(select(func.coalesce(func.max(Person.id), 0))) + 1
            session.execute(insert(Person), [
                {"id": first + i, "pseudonym": uuid.uuid4().hex, "language": "cy" if i % 3 == 0 else "en",
                 "language_recorded_at": now, "opted_out": False, "created_at": now} for i in range(size)])
            session.execute(insert(PersonAddress), [
                {"person_id": first + i, "channel": "telegram" if i % 2 else "sms",
                 "address": f"+4477{first + i:09d}" if i % 2 == 0 else f"{100000000 + first + i}",
                 "created_at": now, "last_seen_at": now} for i in range(size)])
        done += size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--rate", type=float, default=1000, help="allowed messages per second per channel")
    parser.add_argument("--batch", type=int, default=2000, help="people planned per transaction")
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="cyswllt-bench-")
    settings = load_settings(environ={})
    settings.database.url = args.db or f"sqlite:///{folder}/bench.sqlite3"
    app = build_app(settings, clock=FakeClock(START))
    print(f"database {settings.database.url.split('@')[-1]}, {args.people} people, "
          f"allowed rate {args.rate:g} msg/s per channel (sms, telegram)")

    started = time.perf_counter()
    create_people(app, args.people)
    print(f"create people:      {time.perf_counter() - started:8.1f} s (set-up, not planning)")

    started = time.perf_counter()
    with app.sessions() as session:
        ids = list(session.scalars(select(Person.id).order_by(Person.id)))
    for start in range(0, len(ids), args.batch):
        with app.sessions.begin() as session:
            people = session.scalars(select(Person).where(Person.id.in_(ids[start:start + args.batch]))).all()
            for person in people:
                plan_checkins(session, person, START, settings)
    plan_s = time.perf_counter() - started
    with app.sessions() as session:
        planned = session.scalar(select(func.count()).select_from(Checkin))
    print(f"plan check-ins:     {plan_s:8.1f} s  ({planned} check-ins, {args.people / plan_s:,.0f} people/s)")

    started = time.perf_counter()
    app.run_due_work()
    app.run_due_work()  # a second run, as after a crash or a second scheduler: must queue nothing more
    queue_s = time.perf_counter() - started
    with app.sessions() as session:
        queued = session.scalar(select(func.count()).select_from(OutboundMessage)
                                .where(OutboundMessage.status == "queued"))
    print(f"due work (2 runs):  {queue_s:8.1f} s  ({queued} offers queued)")

    transport = RateLimitedTransport(args.rate)
    threads = [threading.Thread(target=deliver_due, args=(app.sessions, transport, app.clock.now(), channel))
               for channel in ("sms", "telegram")]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drain_s = time.perf_counter() - started
    again = deliver_due(app.sessions, transport, app.clock.now())  # a second drain sends nothing
    sent = sum(transport.keys.values())
    achieved = sent / drain_s
    allowed = args.rate * 2
    lost = args.people - len(transport.keys)
    duplicated = sent - len(transport.keys) + len(again)
    print(f"drain outbox:       {drain_s:8.1f} s  ({sent} sent, {achieved:,.0f} msg/s = "
          f"{100 * achieved / allowed:.1f}% of the allowed {allowed:g} msg/s)")
    print(f"lost: {lost}   duplicated: {duplicated}")
    app.close()
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
