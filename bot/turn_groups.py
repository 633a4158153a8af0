"""Webhooks that wait for a turn together are committed together (group commit).

A few turn runners work at once. A message that finds one free starts at once, alone: an
unloaded server adds no wait. Messages that arrive while every runner is busy wait, and the
next free runner takes all of them (up to a limit) to the dispatcher's `handle_together`: one
transaction, one commit, each message still a whole turn and none acknowledged before the
commit. Under load that is what lets one process keep up (bench/channels_bench.py measures it).
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Sequence

from bot.dispatcher import Handled
from bot.messages import InboundMessage
from bot.worker_threads import retrieve, settle

HandleTogether = Callable[[Sequence[InboundMessage]], list[Handled]]
# Runs a blocking call off the event loop: (function, argument) -> its result.
RunInThread = Callable[[HandleTogether, list[InboundMessage]], Awaitable[list[Handled]]]


class TurnGroups:
    """`await groups.handle(message)`: its turn committed, alone or with the others waiting."""

    def __init__(self, handle_together: HandleTogether, run_in_thread: RunInThread, runners: int,
                 most_at_once: int):
        self.handle_together = handle_together
        self.run_in_thread = run_in_thread
        self.runners = runners
        self.most_at_once = most_at_once
        self._waiting: list[tuple[InboundMessage, asyncio.Future]] = []
        self._busy = 0
        self._runners: set[asyncio.Task] = set()   # held, or the loop may collect a running task

    async def handle(self, message: InboundMessage) -> Handled:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((message, future))
        if self._busy < self.runners:
            self._busy += 1
            runner = asyncio.ensure_future(self._run_while_waiting())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        try:
            # Shielded: a caller that gives up (its client went away) must not cancel the others' turns.
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            future.add_done_callback(retrieve)
            raise

    async def _run_while_waiting(self) -> None:
        try:
            while self._waiting:
                group = self._waiting[:self.most_at_once]
                del self._waiting[:self.most_at_once]
                try:
                    results = await self.run_in_thread(self.handle_together, [m for m, _ in group])
                except BaseException as exc:  # noqa: BLE001 - every waiting webhook hears of it (503)
                    for _, future in group:
                        settle(future, (False, exc))
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for (_, future), handled in zip(group, results):
                    settle(future, (True, handled))
        finally:
            self._busy -= 1

