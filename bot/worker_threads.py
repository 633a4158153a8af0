"""A few threads that run blocking calls (database transactions) for the event loop.

Used for every turn and every claim and record of the sender, so the hop costs little:
anyio's `to_thread.run_sync` spends about 35 µs of CPU a call (cancel scopes, a capacity
limiter, looking up the async library), this about 3 µs; the profile of `cyswllt serve` showed
the hops at a tenth of the process's CPU. How many calls run at once is the number of threads.
"""
from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Callable


class WorkerThreads:
    """`await threads.run(function, *args)`: the call runs in one of `count` threads.

    A caller that is cancelled stops waiting, but its call still runs to the end (a transaction
    is not interrupted half way); `close` waits for every call handed over before it.
    """

    def __init__(self, count: int, name: str):
        self.count = count
        self.name = name
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        if not self._threads:
            self._start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.put((loop, future, function, args))
        try:
            # Shielded: cancelling the caller must not cancel the future the thread will settle.
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            future.add_done_callback(retrieve)   # an error nobody awaits is not "never retrieved"
            raise

    def _start(self) -> None:
        self._threads = [threading.Thread(target=self._work, name=f"{self.name}-{n}", daemon=True)
                         for n in range(self.count)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            call = self._calls.get()
            if call is None:
                return
            loop, future, function, args = call
            try:
                outcome = (True, function(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, whatever it is
                outcome = (False, exc)
            try:
                loop.call_soon_threadsafe(settle, future, outcome)
            except RuntimeError:
                pass   # the loop is closed: nobody is waiting any more

    async def aclose(self) -> None:
        """`close` without blocking the event loop."""
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        """Finish every call handed over so far, then stop the threads (they start again when needed)."""
        threads, self._threads = self._threads, []
        for _ in threads:
            self._calls.put(None)
        for thread in threads:
            thread.join()


def settle(future: asyncio.Future, outcome: tuple[bool, Any]) -> None:
    """Hand a call's outcome, (True, result) or (False, exception), to its caller if still waiting."""
    if future.done():
        return   # the caller was cancelled
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def retrieve(future: asyncio.Future) -> None:
    """A done callback for a future nobody awaits any more: reading it keeps asyncio from warning."""
    if not future.cancelled():
        future.exception()
