"""Benchmark: plan check-ins for many people, offer them, and drain the outbox through the real channels.

    python bench/checkins_bench.py [--people 100000] [--db URL] [--sample-seconds 20] [--lifted-rate 2000]

Prints the time to plan, the time for the due work to queue the offers (run twice: the second run
must queue nothing), then drains the outbox with the real sender (bot/sender.py) and the real
Telegram and Twilio channels over HTTP to the fake Telegram and Twilio servers of tests/support.

At the production rates (30 Telegram messages/s, 1 SMS segment/s) 100,000 offers take about an
hour, so the drain has two documented parts:
  1. a sample window (--sample-seconds) at the configured provider rates (settings.sender), where the
     rate achieved is measured as a share of the allowed rate (Telegram in messages/s, SMS in segments/s);
  2. the rest of the outbox with the sender's limits lifted to --lifted-rate per channel (the fake
     providers have no limits of their own), measured the same way: this is the sender's capacity.
Lost and duplicated messages are counted at the fake providers against the outbox over the whole
drain (every offer, both parts), after a last sender pass that must send nothing more. Both must be 0.
Nothing here is a test: it prints figures.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import copy
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.bootstrap import build_app  # noqa: E402
from bot.channels.telegram.channel import TelegramChannel  # noqa: E402
from bot.channels.sms.channel import TwilioChannel  # noqa: E402
from bot.checkins import plan_checkins  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.send_limits import routes_from_settings  # noqa: E402
from bot.sender import Sender  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.sms_segments import measure  # noqa: E402
from storage.models import Checkin, OutboundMessage, Person, PersonAddress  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeTelegram  # noqa: E402
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, FakeTwilio  # noqa: E402

# A Monday at 10:00 in winter: inside the quiet hours, so offers may go at once.
START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
CHANNELS = ("telegram", "sms")


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


@dataclass
class Fakes:
    """The fake providers on loopback, and what each has received (counted per address)."""

    telegram: FakeTelegram
    twilio: FakeTwilio

    def received(self) -> collections.Counter:
        counts = collections.Counter((("telegram", m.chat_id) for m in self.telegram.sent.snapshot()))
        counts.update(("sms", m.to) for m in self.twilio.sent.snapshot())
        return counts

    def totals(self) -> dict[str, float]:
        """Telegram messages and SMS segments received so far."""
        return {"telegram": len(self.telegram.sent.snapshot()),
                "sms": sum(measure(m.body).segments for m in self.twilio.sent.snapshot())}


def provider_settings(settings, fakes: Fakes):
    settings.telegram.token = TOKEN
    settings.telegram.api_base = fakes.telegram.api_base
    settings.twilio.account_sid, settings.twilio.auth_token, settings.twilio.from_ = ACCOUNT_SID, AUTH_TOKEN, FROM
    settings.twilio.api_base = fakes.twilio.api_base


async def _no_inbound(*_args, **_kwargs):   # the drain only sends
    return None


async def drain(app, settings, fakes: Fakes, seconds: float | None) -> tuple[float, dict[str, float]]:
    """Run the real sender over real HTTP for `seconds`, or until the outbox is empty; (elapsed, sent)."""
    channels = {"telegram": TelegramChannel(settings, _no_inbound), "sms": TwilioChannel(settings)}
    for channel in channels.values():
        await channel.start()
    sender = Sender(app.sessions, app.clock, settings, routes_from_settings(settings, channels))
    before = fakes.totals()
    stop = asyncio.Event()
    started = time.perf_counter()
    running = asyncio.create_task(sender.run(stop))
    if seconds is not None:
        await asyncio.sleep(seconds)
    else:
        while await asyncio.to_thread(sender.queue_depth):
            await asyncio.sleep(0.5)
    stop.set()
    await running
    elapsed = time.perf_counter() - started
    for channel in channels.values():
        await channel.stop()
    after = fakes.totals()
    return elapsed, {name: after[name] - before[name] for name in CHANNELS}


def report_rates(label: str, elapsed: float, sent: dict[str, float], settings) -> None:
    allowed = {"telegram": settings.sender.telegram_per_second, "sms": settings.sender.twilio_segments_per_second}
    units = {"telegram": "msg/s", "sms": "segments/s"}
    parts = [f"{name} {sent[name] / elapsed:,.1f} {units[name]} = {100 * sent[name] / elapsed / allowed[name]:.1f}% "
             f"of {allowed[name]:g}" for name in CHANNELS]
    print(f"{label:<20}{elapsed:8.1f} s  ({'; '.join(parts)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--sample-seconds", type=float, default=20.0,
                        help="how long to drain at the configured provider rates before lifting them")
    parser.add_argument("--lifted-rate", type=float, default=2000.0,
                        help="the sender's limit per channel (msg/s, segments/s) for the rest of the outbox")
    parser.add_argument("--batch", type=int, default=2000, help="people planned per transaction")
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="cyswllt-bench-")
    settings = load_settings(environ={})
    settings.database.url = args.db or f"sqlite:///{folder}/bench.sqlite3"
    fakes = Fakes(FakeTelegram(), FakeTwilio())
    provider_settings(settings, fakes)
    app = build_app(settings, clock=FakeClock(START))
    print(f"database {settings.database.url.split('@')[-1]}, {args.people} people "
          f"(half Telegram, half SMS; a third Welsh)")

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
        expected = collections.Counter(
            (channel, address) for channel, address in session.execute(
                select(OutboundMessage.channel, OutboundMessage.address)
                .where(OutboundMessage.status == "queued")))
    print(f"due work (2 runs):  {queue_s:8.1f} s  ({sum(expected.values())} offers queued)")

    sample_s, sample_sent = asyncio.run(drain(app, settings, fakes, args.sample_seconds))
    report_rates("drain, real rates:", sample_s, sample_sent, settings)

    lifted = copy.deepcopy(settings)
    lifted.sender.telegram_per_second = args.lifted_rate
    lifted.sender.twilio_segments_per_second = args.lifted_rate
    rest_s, rest_sent = asyncio.run(drain(app, lifted, fakes, None))
    report_rates("drain, lifted:", rest_s, rest_sent, lifted)

    app.run_due_work()   # and once more: nothing new to queue, and a last sender pass must send nothing
    asyncio.run(drain(app, lifted, fakes, 2.0))
    received = fakes.received()
    lost = sum((expected - received).values())
    duplicated = sum((received - expected).values())
    with app.sessions() as session:
        statuses = dict(session.execute(select(OutboundMessage.status, func.count())
                                        .group_by(OutboundMessage.status)).all())
    print(f"outbox: {statuses}; received at the fake providers: {sum(received.values())}")
    print(f"lost: {lost}   duplicated: {duplicated}")
    app.close()
    fakes.telegram.close()
    fakes.twilio.close()
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
