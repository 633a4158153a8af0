"""Many people holding short conversations at once through the providers, and the checks after.

Each person takes the Active Offer in their language, asks for HELP, and at the end (after the
fault) switches language: the answer to that last turn depends on the stored state, so it
shows the conversation went on where it was rather than starting again.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from sqlalchemy import create_engine, func, select

from storage.db import normalise_url
from storage.models import InboundMessage, OutboundMessage
from tests.support.killable_server import Deliveries, RedeliveringProvider

# What each turn must be answered with, by the person's language.
OFFER = {"telegram": "Ym mha iaith", "sms": "Cymraeg"}
MENU = {"cy": "Beth hoffech chi", "en": "What would you like"}
HELP = {"cy": "Mae Cyswllt yn eich helpu", "en": "Cyswllt helps you"}
SWITCH = {"cy": ("ENGLISH", "from now on"), "en": ("CYMRAEG", "o hyn ymlaen")}


@dataclass(frozen=True)
class Person:
    channel: str
    address: str
    language: str

    @property
    def chat_id(self) -> int:
        return int(self.address)


def people(count: int) -> list[Person]:
    """Half on Telegram, half by SMS; half Welsh, half English."""
    made = []
    for n in range(count):
        channel = "telegram" if n % 2 else "sms"
        address = str(700_000 + n) if channel == "telegram" else f"+4477009{n:05d}"
        made.append(Person(channel, address, "cy" if n % 4 < 2 else "en"))
    return made


class Conversations:
    """Drives every person's turns concurrently; each turn waits for its own reply."""

    def __init__(self, provider: RedeliveringProvider, deliveries: Deliveries, reply_timeout_s: float = 90.0):
        self.provider = provider
        self.deliveries = deliveries
        self.reply_timeout_s = reply_timeout_s
        self.turns_answered = 0
        self.lock = threading.Lock()
        self.local = threading.local()

    def _http(self) -> httpx.Client:
        if getattr(self.local, "http", None) is None:
            self.local.http = httpx.Client(timeout=10)
        return self.local.http

    def _turn(self, person: Person, say: str, expect: str, button: str | None = None) -> None:
        since = self.deliveries.count(person.address)
        http = self._http()
        if person.channel == "sms":
            self.provider.sms(http, person.address, button or say)
        elif button is not None:
            self.provider.telegram_button(http, person.chat_id, button)
        else:
            self.provider.telegram_text(http, person.chat_id, say)
        self.deliveries.wait_for(person.address, expect, since, self.reply_timeout_s)
        with self.lock:
            self.turns_answered += 1

    def opening(self, person: Person) -> None:
        """First contact, the Active Offer taken in their language, then HELP."""
        self._turn(person, "/start" if person.channel == "telegram" else "Hello", OFFER[person.channel])
        choice = person.language if person.channel == "telegram" else ("1" if person.language == "cy" else "2")
        self._turn(person, "", MENU[person.language], button=choice)
        self._turn(person, "HELP" if person.language == "en" else "CYMORTH", HELP[person.language])

    def closing(self, person: Person) -> None:
        """One more turn whose answer depends on what was stored before the fault."""
        word, answer = SWITCH[person.language]
        self._turn(person, word, answer)

    def run(self, everyone: list[Person], script) -> None:
        with ThreadPoolExecutor(max_workers=len(everyone)) as pool:
            for future in [pool.submit(script, person) for person in everyone]:
                future.result()


def wait_until_outbox_settled(database_url: str, timeout: float = 60.0) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        deadline = time.monotonic() + timeout
        while True:
            with engine.connect() as connection:
                waiting = connection.scalar(select(func.count()).select_from(OutboundMessage).where(
                    OutboundMessage.status.in_(("queued", "sending"))))
            if not waiting:
                return
            assert time.monotonic() < deadline, f"{waiting} outbox rows never settled"
            time.sleep(0.2)
    finally:
        engine.dispose()


@dataclass
class Ledger:
    """What the database and the providers say happened, for the no-loss, no-duplicate checks."""

    inbound: Counter           # (channel, provider id) -> rows
    inbound_statuses: Counter
    outbox_statuses: Counter
    sends: dict[str, set[str]]         # address -> provider ids of the sends the outbox recorded
    retried_sends: Counter             # address -> sends claimed more than once (a crash interrupted them)


def read_ledger(database_url: str) -> Ledger:
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            inbound = Counter({(r.channel, r.provider_id): r.n for r in connection.execute(
                select(InboundMessage.channel, InboundMessage.provider_id, func.count().label("n"))
                .group_by(InboundMessage.channel, InboundMessage.provider_id))})
            inbound_statuses = Counter(dict(connection.execute(
                select(InboundMessage.status, func.count()).group_by(InboundMessage.status)).all()))
            outbox_statuses = Counter(dict(connection.execute(
                select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)).all()))
            sends: dict[str, set[str]] = {}
            retried: Counter = Counter()
            for row in connection.execute(select(OutboundMessage.address, OutboundMessage.provider_id,
                                                 OutboundMessage.attempts)
                                          .where(OutboundMessage.status == "sent")):
                if row.provider_id not in sends.setdefault(row.address, set()) and row.attempts > 1:
                    retried[row.address] += 1
                sends[row.address].add(row.provider_id)
    finally:
        engine.dispose()
    return Ledger(inbound, inbound_statuses, outbox_statuses, sends, retried)


def assert_nothing_lost_or_doubled(ledger: Ledger, provider: RedeliveringProvider, deliveries: Deliveries,
                                   everyone: list[Person], repeats_allowed: bool) -> Counter:
    """Every inbound id handled once; every recorded send delivered; repeats only as README allows.

    README ("A crash between sending and recording"): at-least-once for fresh rows, so a crash
    may repeat the one message per person that was in flight, never more. Returns the repeats.
    """
    delivered_ids = {(channel, pid) for channel, ids in provider.provider_ids.items() for pid in ids}
    assert set(ledger.inbound) == delivered_ids, "inbound messages lost or invented"
    assert max(ledger.inbound.values()) == 1
    assert set(ledger.inbound_statuses) == {"processed"}, ledger.inbound_statuses
    assert set(ledger.outbox_statuses) == {"sent"}, ledger.outbox_statuses
    repeats: Counter = Counter()
    for person in everyone:
        sends = ledger.sends.get(person.address, set())
        got = deliveries.count(person.address)
        assert got >= len(sends), f"{person.address}: {len(sends)} sends recorded, {got} delivered"
        extra = got - len(sends)
        if extra:
            repeats[person.address] = extra
            assert repeats_allowed, f"{person.address} got {extra} message(s) twice: {deliveries.to(person.address)}"
            assert extra <= 1, f"{person.address} got {extra} repeats: {deliveries.to(person.address)}"
            assert ledger.retried_sends[person.address] >= extra, (
                f"{person.address}: a repeat that no crash explains: {deliveries.to(person.address)}")
    return repeats
