"""A turn's replies queued behind the person's message still being sent go to the sender that holds
it (Sender.take_behind): claimed with that message's record, in order, not left to the sweep."""
from __future__ import annotations

import asyncio

from bot.channels.base import Outcome, Outgoing
from bot.send_limits import unlimited_routes
from bot.sender import Sender
from storage.models import OutboundMessage
from tests.channels.test_sender_races import CHAT, queue


class HeldProvider:
    """An in-memory provider that holds the first message until told to let it go."""

    def __init__(self):
        self.started, self.release = asyncio.Event(), asyncio.Event()
        self.arrived: list[str] = []

    async def send(self, message: Outgoing) -> Outcome:
        if not self.started.is_set():
            self.started.set()
            await self.release.wait()
        self.arrived.append(message.body)
        return Outcome.sent(f"m{message.id}")


def test_replies_handed_behind_the_message_being_sent_go_after_it_claimed_with_its_record(channel_app):
    clock = channel_app.clock
    first, second = queue(channel_app, clock, ["message 0", "message 1"], first_status="sending")
    swept: set[int] = set()

    async def run():
        provider = HeldProvider()
        sender = Sender(channel_app.sessions, clock, channel_app.settings, unlimited_routes({"telegram": provider}))
        write = sender._write

        def claims_by_the_sweep(plan):
            claimed = write(plan)
            swept.update(claimed)
            return claimed

        sender._write = claims_by_the_sweep
        stop = asyncio.Event()
        runner = asyncio.create_task(sender.run(stop))
        await asyncio.sleep(0)   # running
        sender.take([Outgoing(first, "telegram", CHAT, "message 0", created_at=clock.now())])
        await provider.started.wait()
        sender.take_behind([Outgoing(second, "telegram", CHAT, "message 1", created_at=clock.now())])
        provider.release.set()
        for _ in range(3000):
            if len(provider.arrived) == 2 and not sender._sending:
                break
            await asyncio.sleep(0.01)
        stop.set()
        sender.wake()
        await runner
        return provider.arrived

    assert asyncio.run(run()) == ["message 0", "message 1"]
    assert second not in swept
    with channel_app.sessions() as session:
        assert {row.id: row.status for row in session.query(OutboundMessage)} == {first: "sent", second: "sent"}
