"""Channels benchmark: durable turns through the dispatcher, and whole conversations over HTTP.

    python bench/channels_bench.py                         # both databases, defaults below
    python bench/channels_bench.py --db sqlite --people 200 --concurrency 16 --channel telegram
    python bench/channels_bench.py --db sqlite --skip dispatcher --skip limits --channel whatsapp

Prints, per database:
  1. dispatcher: durable turns/s in one thread (each turn is one committed transaction), and from
     --dispatcher-threads threads at once (default 4);
  2. http: `cyswllt serve` as a separate process, N simulated people (default 1,000) each
     holding a 10-turn conversation through signed webhooks, against fake Telegram and Twilio
     APIs on loopback: inbound messages/s, turn latency p50/p99 (webhook sent to the first
     reply handed to the provider), outbound messages/s next to the limits in force;
  3. unloaded latency (one person at a time);
  4. the rate limits at their production defaults: outbound messages/s measured against them.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.bootstrap import build_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeTelegram  # noqa: E402
from tests.support.fake_twilio import (  # noqa: E402
    ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC_BASE_URL, WHATSAPP_FROM, FakeTwilio, TwilioWebhooks,
)

SCRIPT = ["Hello", "2", "menu", "help", "menu", "cymraeg", "english", "menu", "help", "menu"]
SECRET = "bench-secret"
UPDATE_IDS = iter(range(1, 10**12))
POSTGRES_ADMIN = os.environ.get("CYSWLLT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def database(kind: str):
    """A fresh, empty database URL of this kind, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"cyswllt_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                               {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


# ---------------------------------------------------------------- 1. the dispatcher alone

def bench_dispatcher(url: str, people: int) -> None:
    settings = load_settings(environ={})
    settings.database.url = url
    app = build_app(settings, clock=SystemClock())
    latencies = []
    start = time.perf_counter()
    for n in range(people):
        address = f"+4477{n:08d}"
        for words in SCRIPT:
            t0 = time.perf_counter()
            app.dispatcher.handle(InboundMessage("sms", address, words, uuid.uuid4().hex))
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    app.close()
    print(f"  dispatcher, one thread: {len(latencies)} durable turns in {elapsed:.1f} s = "
          f"{len(latencies) / elapsed:,.0f} turns/s; turn p50 {percentile(latencies, 50) * 1000:.2f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.2f} ms")


def bench_dispatcher_threads(url: str, people: int, threads: int) -> None:
    """The same turns from several threads at once, as the web app runs them (TURNS_AT_ONCE).

    On PostgreSQL a commit waits for the WAL to reach the disk; turns committing together share
    that wait (group commit), which one thread cannot show.
    """
    import threading

    settings = load_settings(environ={})
    settings.database.url = url
    app = build_app(settings, clock=SystemClock())
    latencies: list[float] = []
    lock = threading.Lock() if url.startswith("sqlite") else contextlib.nullcontext()   # as bot/web.py

    def person_range(first: int) -> None:
        mine = []
        for n in range(first, people, threads):
            address = f"+4476{n:08d}"
            for words in SCRIPT:
                t0 = time.perf_counter()
                with lock:
                    app.dispatcher.handle(InboundMessage("sms", address, words, uuid.uuid4().hex))
                mine.append(time.perf_counter() - t0)
        latencies.extend(mine)

    workers = [threading.Thread(target=person_range, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    app.close()
    print(f"  dispatcher, {threads} threads: {len(latencies)} durable turns in {elapsed:.1f} s = "
          f"{len(latencies) / elapsed:,.0f} turns/s; turn p50 {percentile(latencies, 50) * 1000:.2f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.2f} ms")


# ---------------------------------------------------------------- 2. over HTTP

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Serve:
    """`cyswllt serve` in its own process, pointed at the fake providers."""

    def __init__(self, url: str, telegram: FakeTelegram, twilio: FakeTwilio, limits: dict[str, str],
                 serve_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CYSWLLT_")}
        env.update({
            "CYSWLLT_DATABASE_URL": url, "CYSWLLT_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "CYSWLLT_TELEGRAM_TOKEN": TOKEN, "CYSWLLT_TELEGRAM_SECRET": SECRET,
            "CYSWLLT_TELEGRAM_API_BASE": telegram.api_base,
            "CYSWLLT_TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CYSWLLT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "CYSWLLT_TWILIO_FROM": FROM, "CYSWLLT_TWILIO_API_BASE": twilio.api_base,
            "CYSWLLT_TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
            "CYSWLLT_SENDER_IDLE_POLL_S": "0.05",
            **limits,
        })
        command = os.environ.get("CYSWLLT_BENCH_SERVE_WRAPPER")   # e.g. a profiler around bot.cli
        self.process = subprocess.Popen(
            [sys.executable, *([command] if command else ["-m", "bot.cli"]), "serve", "--port", str(self.port),
             "--log-level", "warning", *serve_args],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("cyswllt serve did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


class Conversations:
    """Simulated people writing over signed webhooks and waiting for each turn's replies."""

    def __init__(self, serve: Serve, telegram: FakeTelegram, twilio: FakeTwilio, channel: str):
        self.serve = serve
        self.channel = channel
        self.webhooks = TwilioWebhooks()
        self.received: dict[str, list[float]] = defaultdict(list)
        self.waiters: dict[str, asyncio.Event] = {}
        self.loop = asyncio.get_running_loop()
        self.update_ids = UPDATE_IDS   # shared by every run against one server: ids never repeat
        telegram.sent.listener = lambda m: self._arrived(str(m.chat_id))
        twilio.sent.listener = lambda m: self._arrived(m.to)

    def _arrived(self, address: str) -> None:
        at = time.perf_counter()
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._note, address, at)

    def _note(self, address: str, at: float) -> None:
        self.received[address].append(at)
        waiter = self.waiters.get(address)
        if waiter is not None:
            waiter.set()

    async def _wait_count(self, address: str, count: int, timeout: float = 120) -> float:
        deadline = time.perf_counter() + timeout
        while len(self.received[address]) < count:
            waiter = self.waiters.setdefault(address, asyncio.Event())
            waiter.clear()
            await asyncio.wait_for(waiter.wait(), max(0.01, deadline - time.perf_counter()))
        return self.received[address][count - 1]

    def request(self, address: str, words: str) -> tuple[str, dict]:
        """A webhook's path and its body and headers, as the provider would send it."""
        if self.channel == "telegram":
            update_id = next(self.update_ids)
            chat = int(address)
            message = {"message_id": update_id, "date": int(time.time()), "text": words,
                       "chat": {"id": chat, "type": "private"},
                       "from": {"id": chat, "is_bot": False, "first_name": "Bench"}}
            return "/telegram/webhook", {"data": json.dumps({"update_id": update_id, "message": message}).encode(),
                                         "headers": {"X-Telegram-Bot-Api-Secret-Token": SECRET,
                                                     "Content-Type": "application/json"}}
        if self.channel == "whatsapp":
            form, path = self.webhooks.whatsapp(address, words, sid=f"SM{uuid.uuid4().hex}"), "/twilio/whatsapp"
        else:
            form, path = self.webhooks.sms(address, words, sid=f"SM{uuid.uuid4().hex}"), "/twilio/sms"
        headers = {**self.webhooks.sign(path, form), "Content-Type": "application/x-www-form-urlencoded"}
        return path, {"data": urlencode(form).encode(), "headers": headers}

    async def calibrate(self, client: aiohttp.ClientSession, address: str) -> list[int]:
        """How many messages each turn of the script produces on this channel."""
        counts = []
        for words in SCRIPT:
            before = len(self.received[address])
            path, kwargs = self.request(address, words)
            await post(client, path, kwargs)
            await self._wait_count(address, before + 1)
            await asyncio.sleep(0.4)   # quiet: nothing more is coming for this turn
            counts.append(len(self.received[address]) - before)
        return counts

    async def person(self, client: aiohttp.ClientSession, address: str, counts: list[int],
                     latencies: list[float]) -> None:
        seen = 0
        for words, count in zip(SCRIPT, counts):
            path, kwargs = self.request(address, words)
            t0 = time.perf_counter()
            await post(client, path, kwargs)
            first = await self._wait_count(address, seen + 1)
            latencies.append(first - t0)
            seen += count
            await self._wait_count(address, seen)


async def post(client: aiohttp.ClientSession, path: str, kwargs: dict) -> None:
    """Deliver a webhook as providers do: again, if the connection drops or we get a 5xx."""
    for attempt in range(5):
        try:
            async with client.post(path, **kwargs) as response:
                await response.read()
                if response.status < 500:
                    response.raise_for_status()
                    return
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError):
            pass   # e.g. the server closed an idle keep-alive connection as we used it
        await asyncio.sleep(0.05 * 2 ** attempt)
    raise SystemExit(f"webhook {path} failed 5 times")


def address_for(channel: str, n: int) -> str:
    if channel == "telegram":
        return str(10_000_000 + n)
    return f"whatsapp:+4479{n:08d}" if channel == "whatsapp" else f"+4478{n:08d}"


async def drive(serve: Serve, telegram: FakeTelegram, twilio: FakeTwilio, channel: str, people: int,
                concurrency: int, offset: int) -> dict:
    conversations = Conversations(serve, telegram, twilio, channel)
    # aiohttp rather than httpx: httpx's connection pool cost the benchmark process as much CPU
    # per webhook as the server spent handling it, on the same two cores.
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    async with aiohttp.ClientSession(base_url=serve.url, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as client:
        counts = await conversations.calibrate(client, address_for(channel, offset))
        latencies: list[float] = []
        queue: asyncio.Queue = asyncio.Queue()
        for n in range(1, people + 1):
            queue.put_nowait(address_for(channel, offset + n))

        async def worker():
            while not queue.empty():
                address = queue.get_nowait()
                await conversations.person(client, address, counts, latencies)

        sent_before = sum(len(v) for v in conversations.received.values())
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        arrivals = sorted(t for v in conversations.received.values() for t in v if t >= start)
    outbound = len(arrivals)
    out_span = (arrivals[-1] - start) if arrivals else elapsed
    telegram.sent.listener = twilio.sent.listener = None
    return {"turns": len(latencies), "elapsed": elapsed, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "outbound": outbound, "out_rate": outbound / out_span,
            "per_turn": counts, "sent_before": sent_before}


def run_loop(coroutine):
    """Run the load generator on uvloop when it is installed (as `cyswllt serve` runs), to spare the CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def bench_http(url: str, channel: str, people: int, concurrency: int, unloaded_people: int) -> None:
    telegram, twilio = FakeTelegram(), FakeTwilio()
    # Limits lifted so that the web app and the database, not the providers, are measured;
    # section 4 measures the production limits on their own.
    limits = {"CYSWLLT_SENDER_TELEGRAM_PER_SECOND": "100000", "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_PER_SECOND": "1000",
              "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_BURST": "100", "CYSWLLT_SENDER_TWILIO_SEGMENTS_PER_SECOND": "100000",
              "CYSWLLT_WHATSAPP_PER_SECOND": "100000"}
    serve = Serve(url, telegram, twilio, limits)
    try:
        loaded = run_loop(drive(serve, telegram, twilio, channel, people, concurrency, offset=0))
        unloaded = run_loop(drive(serve, telegram, twilio, channel, unloaded_people, 1, offset=people + 10))
    finally:
        serve.stop()
        telegram.close()
        twilio.close()
    print(f"  http {channel}: {people} people x {len(SCRIPT)} turns, {concurrency} at a time: "
          f"{loaded['turns'] / loaded['elapsed']:,.0f} inbound msgs/s; turn latency p50 {loaded['p50'] * 1000:.1f} ms, "
          f"p99 {loaded['p99'] * 1000:.1f} ms; outbound {loaded['out_rate']:,.0f} msgs/s "
          f"({loaded['outbound']} messages; limits lifted to 100,000/s for this run)")
    engine = make_engine(url)
    with engine.connect() as connection:
        inbox = dict(connection.execute(text("SELECT status, count(*) FROM inbound_message GROUP BY status")).all())
        outbox = dict(connection.execute(text("SELECT status, count(*) FROM outbound_message GROUP BY status")).all())
    engine.dispose()
    print(f"  http {channel} stored: inbox {inbox}; outbox {outbox}")
    print(f"  http {channel} unloaded (1 person at a time, {unloaded_people} people): "
          f"turn latency p50 {unloaded['p50'] * 1000:.1f} ms, p99 {unloaded['p99'] * 1000:.1f} ms "
          f"(messages per turn {unloaded['per_turn']})")


# ---------------------------------------------------------------- 4. the production limits

def bench_limits(url: str, chats: int) -> None:
    """Queue messages for many chats and for one chat; send them with the default limits."""
    from bot.channels.base import Outcome
    from bot.send_limits import routes_from_settings
    from bot.sender import Sender
    from storage.models import OutboundMessage

    settings = load_settings(environ={})
    settings.database.url = url
    app = build_app(settings, clock=SystemClock())
    sent: list[tuple[str, float]] = []

    class Instant:
        async def send(self, message):
            sent.append((message.address, time.perf_counter()))
            return Outcome.sent(uuid.uuid4().hex)

    now = app.clock.now()
    with app.sessions.begin() as session:
        for n in range(chats):
            session.add(OutboundMessage(channel="telegram", address=str(900_000 + n), body="x", options=[],
                                        status="queued", created_at=now, not_before=now))
        for n in range(12):
            session.add(OutboundMessage(channel="telegram", address="1", body=f"x{n}", options=[],
                                        status="queued", created_at=now, not_before=now))
        for n in range(20):
            session.add(OutboundMessage(channel="sms", address=f"+4479{n:08d}", body="y" * 200, options=[],
                                        status="queued", created_at=now, not_before=now))
    settings.sender.twilio_segments_per_second = 10.0   # e.g. a short code; the default long code is 1
    sender = Sender(app.sessions, app.clock, settings,
                    routes_from_settings(settings, {"telegram": Instant(), "sms": Instant()}))

    async def run():
        stop = asyncio.Event()
        task = asyncio.create_task(sender.run(stop))
        total = chats + 12 + 20
        while len(sent) < total:
            await asyncio.sleep(0.05)
        stop.set()
        await task

    start = time.perf_counter()
    asyncio.run(run())
    app.close()
    many = [t for a, t in sent if a not in ("1",) and not a.startswith("+")]
    one = [t for a, t in sent if a == "1"]
    sms = [t for a, t in sent if a.startswith("+")]

    def rate(times):
        return (len(times) - 1) / (max(times) - min(times)) if len(times) > 1 else float("nan")

    s = settings.sender
    sms = sms[int(s.twilio_segments_per_second):]   # after the first second's allowance
    many = many[int(s.telegram_per_second):]
    print(f"  limits: Telegram overall {rate(many):.1f} msgs/s measured (limit {s.telegram_per_second:g}/s, "
          f"{len(many) + len(one)} messages); one chat {rate(one[s.telegram_per_chat_burst:]):.2f} msgs/s after a "
          f"burst of {s.telegram_per_chat_burst} (limit {s.telegram_per_chat_per_second:g}/s); Twilio "
          f"{rate(sms) * 2:.1f} segments/s with 2-segment messages (limit {s.twilio_segments_per_second:g}/s); "
          f"{time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--channel", choices=("sms", "telegram", "whatsapp", "all", "both"), default="all",
                        help="both: SMS and Telegram (as before WhatsApp); all: the three")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--dispatcher-people", type=int, default=200)
    parser.add_argument("--dispatcher-threads", type=int, default=4,
                        help="also run the dispatcher from this many threads at once (1: not)")
    parser.add_argument("--unloaded-people", type=int, default=20)
    parser.add_argument("--limit-chats", type=int, default=150)
    parser.add_argument("--skip", action="append", default=[], choices=("dispatcher", "http", "limits"))
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    channels = {"all": ("sms", "telegram", "whatsapp"), "both": ("sms", "telegram")}.get(args.channel, (args.channel,))
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    for kind in kinds:
        print(f"== {kind}")
        if "dispatcher" not in args.skip:
            with database(kind) as url:
                bench_dispatcher(url, args.dispatcher_people)
            if args.dispatcher_threads > 1:
                with database(kind) as url:
                    bench_dispatcher_threads(url, args.dispatcher_people, args.dispatcher_threads)
        if "http" not in args.skip:
            for channel in channels:
                with database(kind) as url:
                    bench_http(url, channel, args.people, args.concurrency, args.unloaded_people)
        if "limits" not in args.skip:
            with database(kind) as url:
                bench_limits(url, args.limit_chats)


if __name__ == "__main__":
    main()
