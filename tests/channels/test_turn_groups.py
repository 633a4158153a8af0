"""Turn groups: alone when a runner is free, together when they had to wait."""
from __future__ import annotations

import asyncio
import threading

import pytest

from bot.dispatcher import Handled
from bot.messages import InboundMessage
from bot.turn_groups import TurnGroups


def _message(n: int) -> InboundMessage:
    return InboundMessage("sms", f"+4477009{n:05d}", "menu", f"SM{n}")


class SlowDispatcher:
    """Records the groups it is handed; each group takes until it is let go."""

    def __init__(self):
        self.groups: list[list[str]] = []
        self.go = threading.Event()
        self.fail_next = False

    def handle_together(self, messages):
        self.groups.append([m.provider_id for m in messages])
        assert self.go.wait(10)
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the database went away")
        return [Handled(outbound_ids=(int(m.provider_id[2:]),)) for m in messages]


async def _in_thread(function, argument):
    return await asyncio.to_thread(function, argument)


def test_a_message_that_finds_a_runner_free_goes_alone_at_once():
    dispatcher = SlowDispatcher()
    dispatcher.go.set()
    groups = TurnGroups(dispatcher.handle_together, _in_thread, runners=2, most_at_once=8)

    async def main():
        return await groups.handle(_message(1))

    assert asyncio.run(main()).outbound_ids == (1,)
    assert dispatcher.groups == [["SM1"]]


def test_messages_that_wait_for_a_runner_go_together_in_arrival_order():
    dispatcher = SlowDispatcher()
    groups = TurnGroups(dispatcher.handle_together, _in_thread, runners=1, most_at_once=3)

    async def main():
        first = asyncio.ensure_future(groups.handle(_message(1)))
        await asyncio.sleep(0.05)            # the one runner is busy with the first
        rest = [asyncio.ensure_future(groups.handle(_message(n))) for n in range(2, 7)]
        await asyncio.sleep(0.05)
        dispatcher.go.set()
        return await asyncio.gather(first, *rest)

    results = asyncio.run(main())
    assert [h.outbound_ids for h in results] == [(n,) for n in range(1, 7)]
    assert dispatcher.groups == [["SM1"], ["SM2", "SM3", "SM4"], ["SM5", "SM6"]]


def test_a_group_that_could_not_be_committed_tells_each_of_its_callers_and_the_next_goes_on():
    dispatcher = SlowDispatcher()
    groups = TurnGroups(dispatcher.handle_together, _in_thread, runners=1, most_at_once=8)

    async def main():
        dispatcher.fail_next = True
        first = asyncio.ensure_future(groups.handle(_message(1)))
        await asyncio.sleep(0.05)
        dispatcher.go.set()
        with pytest.raises(ConnectionError):
            await first
        return await groups.handle(_message(2))

    assert asyncio.run(main()).outbound_ids == (2,)


def test_a_caller_that_gives_up_does_not_stop_its_turn_or_the_others():
    dispatcher = SlowDispatcher()
    groups = TurnGroups(dispatcher.handle_together, _in_thread, runners=1, most_at_once=8)

    async def main():
        first = asyncio.ensure_future(groups.handle(_message(1)))
        await asyncio.sleep(0.05)
        waiting = [asyncio.ensure_future(groups.handle(_message(n))) for n in (2, 3)]
        await asyncio.sleep(0.01)
        waiting[0].cancel()
        dispatcher.go.set()
        return await asyncio.gather(first, waiting[1])

    results = asyncio.run(main())
    assert [h.outbound_ids for h in results] == [(1,), (3,)]
    assert dispatcher.groups == [["SM1"], ["SM2", "SM3"]]    # the given-up message was still handled
