"""CPU of the send side alone: handed messages sent to Twilio and recorded, without the turns.

    cd <checkout> && <venv>/bin/python <this checkout>/bench/send_side.py [--messages 800] [--at-once 16]

Rows are committed "sending" as a turn leaves them (not timed), handed to a real Sender with the
real SMS channel (`take`), `--at-once` at a time, and the process's CPU (every thread) is read
until all are sent and recorded. The fake Twilio runs in another process, so its CPU is not
counted. Run it from two checkouts, alternated, to compare them: it imports the checkout it is
run from (the current directory), so the same file measures an older one.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta

sys.path.insert(0, os.getcwd())

from sqlalchemy import func, select  # noqa: E402

from bot.bootstrap import build_app  # noqa: E402
from bot.channels.base import Outgoing  # noqa: E402
from bot.channels.sms.channel import TwilioChannel  # noqa: E402
from bot.sender import Sender  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.models import OutboundMessage  # noqa: E402
from tests.support import fake_twilio as ft  # noqa: E402

try:
    from bot.send_limits import routes_from_settings  # noqa: E402
except ImportError:   # a checkout from before bot/send_limits.py
    from bot.sender import routes_from_settings  # noqa: E402

FAKE = ("import sys, time; sys.path.insert(0, sys.argv[1]); from tests.support.fake_twilio import FakeTwilio; "
        "f = FakeTwilio(); print(f.api_base, flush=True); time.sleep(86400)")
BODY = "Diolch. Ar raddfa o 0 i 10, pa mor fodlon ydych chi â'ch bywyd? / Thank you. On a scale of 0 to 10?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=800)
    ap.add_argument("--at-once", type=int, default=16)
    a = ap.parse_args()
    fake = subprocess.Popen([sys.executable, "-c", FAKE, os.getcwd()], stdout=subprocess.PIPE, text=True)
    try:
        settings = load_settings(environ={})
        settings.database.url = f"sqlite:///{tempfile.mkdtemp()}/send.sqlite3"
        settings.public.base_url = ft.PUBLIC_BASE_URL
        twilio = settings.twilio
        twilio.account_sid, twilio.auth_token, twilio.from_ = ft.ACCOUNT_SID, ft.AUTH_TOKEN, ft.FROM
        twilio.api_base = fake.stdout.readline().strip()
        settings.sender.twilio_segments_per_second = 1e6
        cpu, sent = asyncio.run(run(build_app(settings), settings, a.messages, a.at_once))
        print(f"{os.path.basename(os.getcwd())}: {cpu / a.messages * 1000:.3f} ms CPU a message "
              f"(sent {sent}/{a.messages}, {a.at_once} at a time)")
    finally:
        fake.kill()


def handed(app, count: int, first: int) -> list[Outgoing]:
    """Rows committed claimed, as a turn that hands its replies over leaves them."""
    now = app.clock.now()
    messages = []
    with app.sessions.begin() as session:
        for n in range(first, first + count):
            row = OutboundMessage(channel="sms", address=f"+4477009{n:05d}", body=BODY, options=[], status="sending",
                                  attempts=1, created_at=now, not_before=now, claimed_until=now + timedelta(seconds=60))
            session.add(row)
            session.flush()
            messages.append(Outgoing(row.id, "sms", row.address, BODY, (), 1, 1, (), now, "cy", None))
    return messages


async def run(app, settings, total: int, at_once: int) -> tuple[float, int]:
    channel = TwilioChannel(settings)
    await channel.start()
    sender = Sender(app.sessions, app.clock, settings, routes_from_settings(settings, {"sms": channel}),
                    write_lock=threading.Lock())
    stop = asyncio.Event()
    runner = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.3)
    cpu = 0.0
    for wave in range(total // at_once):
        batch = handed(app, at_once, wave * at_once)
        started = time.process_time()
        for message in batch:
            sender.take([message])
        # Until every message is recorded (the attribute is _in_flight in checkouts before issue 21's sender round).
        while sender.stats.sent < (wave + 1) * at_once or getattr(sender, "_sending", getattr(sender, "_in_flight", {})):
            await asyncio.sleep(0.002)
        cpu += time.process_time() - started
    stop.set()
    sender.wake()
    await runner
    await channel.stop()
    with app.sessions() as session:
        sent = session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "sent"))
    return cpu, sent


if __name__ == "__main__":
    main()
