"""Several web workers and several outbox senders against one PostgreSQL database (issue 9).

Real processes on loopback: `cyswllt serve` started as a subprocess, fake Telegram and Twilio
servers in this process, signed webhooks.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select

from storage.db import make_engine
from storage.models import Conversation, InboundMessage as InboundRow, OutboundMessage, PersonAddress
from storage.models import Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_twilio import FakeTwilio, TwilioWebhooks
from tests.support.serve_process import LIFTED_LIMITS, ROOT, ServeProcess, serve_environment

CHATS = 40
ROWS_PER_CHAT = 8


@pytest.fixture
def postgres_url(postgres_database):
    postgres_database.empty()
    return postgres_database.url


@pytest.fixture
def fakes():
    made = [FakeTelegram(), FakeTelegram(), FakeTwilio()]
    yield made
    for fake in made:
        fake.close()


def _wait(predicate, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_two_senders_draining_one_outbox_send_each_row_exactly_once_in_order(postgres_url, fakes, tmp_path):
    # Each sender talks to its own fake Telegram, so we know which process sent what.
    telegram_a, telegram_b, twilio = fakes
    # Two in flight each: with 64, the first sender to wake claims every chat's head and,
    # woken by its own records, drains the lot before the other's next idle poll.
    shared = {**LIFTED_LIMITS, "CYSWLLT_SENDER_CONCURRENCY": "2"}
    senders = [
        ServeProcess(serve_environment(postgres_url, fake.api_base, twilio.api_base, **shared),
                     tmp_path / f"serve-{n}.log", "--no-scheduler")
        for n, fake in enumerate((telegram_a, telegram_b))
    ]
    try:
        engine = make_engine(postgres_url)
        now = datetime.now(timezone.utc)
        with engine.begin() as connection:
            connection.execute(OutboundMessage.__table__.insert(), [
                {"channel": "telegram", "address": str(7_000 + chat), "body": f"chat {chat} message {n}",
                 "options": [], "status": "queued", "created_at": now, "not_before": now, "attempts": 0,
                 "ignore_opt_out": False}
                for n in range(ROWS_PER_CHAT) for chat in range(CHATS)
            ])
        total = CHATS * ROWS_PER_CHAT
        _wait(lambda: len(telegram_a.sent.snapshot()) + len(telegram_b.sent.snapshot()) >= total,
              what="the outbox to drain")
        with engine.connect() as connection:
            def recorded():
                unsent = connection.execute(select(func.count()).where(OutboundMessage.status != "sent")).scalar()
                connection.rollback()
                return unsent == 0
            _wait(recorded, 30, "every row to be recorded sent")
        engine.dispose()
    finally:
        codes = [sender.stop() for sender in senders]
    sent_a, sent_b = telegram_a.sent.snapshot(), telegram_b.sent.snapshot()
    counts = Counter(m.text for m in sent_a + sent_b)
    assert len(counts) == total and set(counts.values()) == {1}, "a row was sent twice or not at all"
    assert sent_a and sent_b, "both senders took part"
    by_chat = defaultdict(list)
    for message in sorted(sent_a + sent_b, key=lambda m: m.at):
        by_chat[message.chat_id].append(message.text)
    for chat, texts in by_chat.items():
        assert texts == [f"chat {int(chat) - 7_000} message {n}" for n in range(ROWS_PER_CHAT)], chat
    assert all(code in (0, -15) for code in codes)


async def _deliver(client: httpx.AsyncClient, path: str, kwargs: dict) -> None:
    """As providers do: again on a dropped connection or a 5xx."""
    for attempt in range(8):
        try:
            response = await client.post(path, **kwargs)
            if response.status_code < 500:
                assert response.status_code == 200, response.text
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05 * 2 ** attempt)
    raise AssertionError(f"{path} failed 8 times")


def test_two_workers_under_concurrent_webhooks_for_the_same_people_lose_and_repeat_nothing(
        postgres_url, fakes, tmp_path):
    telegram, _, twilio = fakes
    server = ServeProcess(serve_environment(postgres_url, telegram.api_base, twilio.api_base, **LIFTED_LIMITS),
                          tmp_path / "serve.log", "--workers", "2")
    people = [f"+4477009{n:05d}" for n in range(12)]
    words = ["Hello", "English", "help", "menu", "help", "menu"]
    webhooks = TwilioWebhooks()

    async def person(client, number):
        # Each message arrives twice at once (a provider's retry racing the first delivery), and
        # the person's next message is sent while the previous one may still be in a turn.
        for word in words:
            form = webhooks.sms(number, word, sid=f"SM{uuid.uuid4().hex}")
            request = {"data": form, "headers": webhooks.sign("/twilio/sms", form)}
            await asyncio.gather(_deliver(client, "/twilio/sms", request), _deliver(client, "/twilio/sms", request))

    async def everyone():
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
            # Two streams per person at once: the same people, concurrently, through both workers.
            await asyncio.gather(*(person(client, n) for n in people), *(person(client, n) for n in people))

    try:
        asyncio.run(everyone())
        engine = make_engine(postgres_url)
        with engine.connect() as connection:
            def settled():
                queued = connection.execute(select(func.count()).where(
                    OutboundMessage.status.in_(("queued", "sending")))).scalar()
                connection.rollback()
                return queued == 0
            _wait(settled, what="the outbox to drain")
            inbox = connection.execute(select(InboundRow.status, func.count()).group_by(InboundRow.status)).all()
            outbox = connection.execute(select(OutboundMessage.status, func.count())
                                        .group_by(OutboundMessage.status)).all()
            versions = dict(connection.execute(
                select(PersonAddress.address, Conversation.version)
                .join(Conversation, Conversation.person_id == PersonAddress.person_id)).all())
            persons = connection.execute(select(func.count()).select_from(Person)).scalar()
            provider_ids = set(connection.execute(select(OutboundMessage.provider_id)).scalars())
        engine.dispose()
    finally:
        code = server.stop()
    turns = len(people) * len(words) * 2
    assert dict(inbox) == {"processed": turns}, "every message stored once and handled"
    assert persons == len(people), "one person per number, even when first messages raced"
    # A conversation's version goes up by one per turn: no turn lost, none applied twice.
    assert versions == {number: len(words) * 2 for number in people}
    assert set(dict(outbox)) == {"sent"}, "every reply sent"
    # One turn's rows may go as one SMS (they share its provider id): each went exactly once.
    sids = [m.sid for m in twilio.sent.snapshot()]
    assert len(sids) == len(set(sids)) and set(sids) == provider_ids, "no SMS sent twice, none unrecorded"
    assert code in (0, -15)


def test_more_than_one_worker_on_sqlite_is_refused_with_a_clear_message(tmp_path):
    env = serve_environment(f"sqlite:///{tmp_path}/one.sqlite3", "http://127.0.0.1:9", "http://127.0.0.1:9")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--workers", "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "CYSWLLT_DATABASE_URL" in done.stderr and "need PostgreSQL" in done.stderr
    assert "or run one worker" in done.stderr
