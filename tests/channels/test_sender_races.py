"""Races between the sender's looks at the outbox and records of what it sent.

Per-person order: the sender reads the outbox in a worker thread while its recorder stores
what happened to a message in another. A read whose snapshot was taken before a record
committed, and decided on after it, still shows the recorded row "sending". These tests force
exactly that interleaving (no timing): the read is held, after it has read, until the record
has been stored.

Once only: with several senders, a database outage longer than the claim lets a live sender's
claim expire while it holds what it sent; another sender must not take it for a crash's.
"""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

import bot.sender as sender_module
from bot.channels.base import Outcome, Outgoing
from bot.clock import FakeClock
from bot.send_limits import Route, TokenBucket, unlimited_routes
from bot.sender import Sender
from storage.models import OutboundMessage

CHAT = "7100"


class Provider:
    """An in-memory provider that refuses one row's first try (a 500)."""

    def __init__(self, refuse: int | None = None):
        self.refuse = refuse
        self.refused: list[int] = []
        self.arrived: list[str] = []

    async def send(self, message: Outgoing) -> Outcome:
        if message.id == self.refuse and not self.refused:
            self.refused.append(message.id)
            return Outcome.retry("telegram 500")
        self.arrived.append(message.body)
        return Outcome.sent(f"m{message.id}")


def queue(app, clock, bodies: list[str], first_status: str = "queued") -> list[int]:
    now = clock.now()
    ids = []
    with app.sessions.begin() as session:
        for n, body in enumerate(bodies):
            row = OutboundMessage(channel="telegram", address=CHAT, body=body, options=[], status="queued",
                                  created_at=now + timedelta(milliseconds=n), not_before=now, attempts=0)
            if n == 0 and first_status == "sending":   # committed claimed by a turn, to be handed over
                row.status, row.attempts, row.claimed_until = "sending", 1, now + timedelta(seconds=60)
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


def hold_stale_read(sender: Sender, is_stale, first: int) -> None:
    """Make the record that puts `first` back in the queue commit after a look at the outbox
    has read (the first read `is_stale` picks) and before that look is decided on."""
    run_in_thread = sender._in_thread
    read_taken, recorded = asyncio.Event(), asyncio.Event()

    async def in_thread(function, *args):
        requeues_first = function.__name__ == "_store_outcomes" and not recorded.is_set() and any(
            c["id"] == first and c.get("status") == "queued" for c in args[0])
        if requeues_first:
            await read_taken.wait()
        result = await run_in_thread(function, *args)
        if requeues_first:
            # The held look resumes only after the recorder's bookkeeping (it does not await in
            # between): as when the reading thread is simply slower than the recording one.
            recorded.set()
        if function.__name__ == "_read" and not read_taken.is_set() and is_stale(result):
            read_taken.set()
            await recorded.wait()
        return result

    sender._in_thread = in_thread


def sees_sending(row_id):
    return lambda read: read.holding is not None and any(r.id == row_id and r.status == "sending"
                                                         for r in read.holding)


def candidates_without(row_id, other):
    ids = lambda read: {r.id for r in read.candidates}  # noqa: E731
    return lambda read: other in ids(read) and row_id not in ids(read)


@pytest.mark.parametrize("look", ["rescan", "due_retry"])
def test_a_retry_recorded_during_a_look_at_the_outbox_still_holds_back_the_next_row(channel_app, monkeypatch,
                                                                                      look):
    settings = channel_app.settings
    if look == "rescan":
        # The look that also reads the rows holding recipients back (once a second alone,
        # every claim with several senders): it used to forget the retry just recorded.
        clock = channel_app.clock
        monkeypatch.setattr(sender_module, "RESCAN_S", 0.0)
    else:
        # A plain look whose clock is past the retry time (a slow record, no backoff left): it
        # used to take the row for one of its own candidates, though its snapshot shows it "sending".
        clock = FakeClock()
        settings.sender.backoff_base_s = 0.0
        monkeypatch.setattr(sender_module, "RESCAN_S", 1e9)
    first, second = queue(channel_app, clock, ["message 0", "message 1"])
    provider = Provider(refuse=first)

    async def run():
        sender = Sender(channel_app.sessions, clock, settings, unlimited_routes({"telegram": provider}))
        stale = sees_sending(first) if look == "rescan" else candidates_without(first, second)
        hold_stale_read(sender, stale, first)
        await sender.drain(timeout=60)

    asyncio.run(run())
    assert provider.refused == [first]
    assert provider.arrived == ["message 0", "message 1"]


class RefusesOnce(Route):
    """A route whose limit holds back the first message handed to it, and then lets all through."""

    def allow(self, address: str, cost: int, now: float) -> bool:
        if not getattr(self, "refused", False):
            self.refused = True
            return False
        return True


def test_a_handed_message_a_limit_put_back_still_goes_before_the_next_row(channel_app):
    clock = channel_app.clock
    first, second = queue(channel_app, clock, ["message 0", "message 1"], first_status="sending")
    provider = Provider()

    async def run():
        route = RefusesOnce("telegram", provider, TokenBucket(1e9, 1e9))
        sender = Sender(channel_app.sessions, clock, channel_app.settings, {"telegram": route})
        handed = asyncio.Event()
        hold_stale_read(sender, lambda read: handed.is_set() and candidates_without(first, second)(read), first)
        draining = asyncio.create_task(sender.drain(timeout=60))
        while sender._scanned_at == float("-inf"):   # its first look (which sees the turn's claim)
            await asyncio.sleep(0.001)
        # The turn's commit hands its first reply over; the limit holds it back, and it goes back
        # to the queue while a look at the outbox (which shows it "sending") is under way.
        handed.set()
        sender.take([Outgoing(first, "telegram", CHAT, "message 0", created_at=clock.now())])
        await draining

    asyncio.run(run())
    assert provider.arrived == ["message 0", "message 1"]


def test_two_senders_back_from_a_database_outage_longer_than_the_claim_send_a_row_once(channel_app):
    if not channel_app.settings.database.url.startswith("postgresql"):
        pytest.skip("several senders share one outbox on PostgreSQL only")
    settings = channel_app.settings
    settings.sender.instances = 2
    clock = FakeClock()
    [row] = queue(channel_app, clock, ["message 0"])
    down = {"now": False, "b_refused": 0}
    arrived: list[str] = []

    class Provider:
        def __init__(self, name: str):
            self.name = name

        async def send(self, message: Outgoing) -> Outcome:
            arrived.append(self.name)
            if self.name == "a":
                # Sent; before the sender can record it, the database goes away for longer than the claim.
                down["now"] = True
                clock.advance(timedelta(seconds=settings.sender.claim_s + 1))
            return Outcome.sent(f"{self.name}{message.id}")

    async def run():
        a = Sender(channel_app.sessions, clock, settings, unlimited_routes({"telegram": Provider("a")}))
        b = Sender(channel_app.sessions, clock, settings, unlimited_routes({"telegram": Provider("b")}))
        b_looked_twice, a_recorded = asyncio.Event(), asyncio.Event()
        b_looks: list[int] = []

        def through(sender, name):
            run_in_thread = sender._in_thread

            async def in_thread(function, *args):
                if down["now"]:
                    down["b_refused"] += name == "b"
                    raise ConnectionError("the database is away")
                if name == "a" and function.__name__ == "_store_outcomes":
                    await b_looked_twice.wait()   # a's record is on its way while b looks again
                result = await run_in_thread(function, *args)
                if name == "a" and function.__name__ == "_store_outcomes":
                    a_recorded.set()
                if name == "b" and function.__name__ == "_write":
                    b_looks.append(1)
                    if len(b_looks) == 2:
                        b_looked_twice.set()
                return result

            sender._in_thread = in_thread

        through(a, "a")
        through(b, "b")
        stop = asyncio.Event()
        a_running = asyncio.create_task(a.run(stop))
        while not down["now"]:
            await asyncio.sleep(0.001)
        b_running = asyncio.create_task(b.run(stop))
        while not down["b_refused"]:
            await asyncio.sleep(0.001)
        down["now"] = False   # the database is back
        await a_recorded.wait()
        stop.set()
        a.wake()
        b.wake()
        await asyncio.gather(a_running, b_running)

    asyncio.run(run())
    assert arrived == ["a"]
    with channel_app.sessions() as session:
        assert session.get(OutboundMessage, row).status == "sent"


def test_back_from_an_outage_a_crashed_senders_row_is_still_sent_once_its_owner_has_had_the_claim_time(
        channel_app):
    if not channel_app.settings.database.url.startswith("postgresql"):
        pytest.skip("several senders share one outbox on PostgreSQL only")
    settings = channel_app.settings
    settings.sender.instances = 2
    clock = FakeClock()
    [row] = queue(channel_app, clock, ["message 0"], first_status="sending")
    clock.advance(timedelta(seconds=settings.sender.claim_s + 1))   # its sender died; the claim expired
    provider = Provider()

    async def run():
        sender = Sender(channel_app.sessions, clock, settings, unlimited_routes({"telegram": provider}))
        run_in_thread = sender._in_thread
        down, looks = [True], []
        looked = asyncio.Event()

        async def in_thread(function, *args):
            if down[0]:
                down[0] = False   # one failed look: the database was away
                raise ConnectionError("the database is away")
            result = await run_in_thread(function, *args)
            if function.__name__ == "_write":
                looks.append(1)
                if len(looks) == 2:
                    looked.set()
            return result

        sender._in_thread = in_thread
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        await looked.wait()
        assert provider.arrived == []   # its owner may still be recording it
        clock.advance(timedelta(seconds=settings.sender.claim_s))
        while not provider.arrived:
            await asyncio.sleep(0.001)
        stop.set()
        sender.wake()
        await running

    asyncio.run(run())
    assert provider.arrived == ["message 0"]
    with channel_app.sessions() as session:
        assert session.get(OutboundMessage, row).status == "sent"


class Blocked(Provider):
    """A provider that answers only once let go."""

    def __init__(self):
        super().__init__()
        self.go = asyncio.Event()

    async def send(self, message: Outgoing) -> Outcome:
        await self.go.wait()
        return await super().send(message)


def test_a_turn_waits_for_the_persons_last_reply_to_be_recorded_so_that_its_own_are_handed_over(channel_app):
    """Sender.settled, which the web app awaits before a turn: it returns once the reply in the
    sender's hands is recorded (the row no longer "sending"), or after its timeout."""
    clock = channel_app.clock
    (first,) = queue(channel_app, clock, ["message 0"], first_status="sending")
    provider = Blocked()

    def status() -> str:
        with channel_app.sessions() as session:
            return session.get(OutboundMessage, first).status

    async def run():
        sender = Sender(channel_app.sessions, clock, channel_app.settings, unlimited_routes({"telegram": provider}))
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        await asyncio.wait_for(sender.settled("telegram", CHAT, 60), 5)   # nothing in its hands: at once
        sender.take([Outgoing(first, "telegram", CHAT, "message 0", created_at=clock.now())])
        await asyncio.wait_for(sender.settled("telegram", CHAT, 0.05), 5)   # not sent yet: the timeout
        assert status() == "sending"
        waiting = asyncio.create_task(sender.settled("telegram", CHAT, 60))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        provider.go.set()
        await asyncio.wait_for(waiting, 30)
        assert status() == "sent"
        stop.set()
        sender.wake()
        await running

    asyncio.run(run())
    assert provider.arrived == ["message 0"]
