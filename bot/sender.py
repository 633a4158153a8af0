"""The sender: hands committed outbox rows to Telegram and Twilio, within their limits (bot/send_limits.py).

A row goes queued -> sending (claimed, committed before the provider is called) -> sent, or back
to queued with a later `not_before` (timeouts, 5xx: exponential backoff with jitter; 429: the
provider's retry-after), or failed (permanent errors; the address is marked unreachable when the
provider says the person cannot be reached there).

Order per person: one message per recipient is in flight at a time, and a row waiting for a retry
holds back that recipient's later rows (scheduled rows, never tried, hold back nothing). The
common case has no claim: a turn's replies are committed already claimed and the process that
committed them hands them to its sender (`take`). The claim is the recovery sweep: rows others
queued, retries, rows a limit held back, rows left "sending" by a crash (sent again once if
younger than `resend_window_s`, else "ambiguous": at-least-once, never a burst). Safeguarding
rows go first. Several senders (PostgreSQL) claim with an UPDATE that takes only rows still
queued. docs/send-path.md tells the whole story.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from bot.channels.base import Outcome, Outgoing
from bot.clock import Clock
from bot.metrics import OUTBOUND
from bot.outbox import (
    Outbox, claim_due, claim_rows, count_due, count_waiting, join_turn, mark_unreachable, read_outbox, update_rows,
)
from bot.send_limits import Route

log = logging.getLogger(__name__)

# Written on a row sent again after a crash; a row that already carries it is not sent a third time.
INTERRUPTED_NOTE = "interrupted while sending; sent again"
RESCAN_S = 1.0            # how often the rows holding recipients back are read from the database

def outbound_result(kind: str, attempts: int, max_attempts: int) -> str:
    """The metric's result for one send attempt: a retry after the last attempt is a failure."""
    if kind == "retry" and attempts >= max_attempts:
        return "failed"
    return kind if kind in ("sent", "retry", "rate_limited") else "failed"


def _outgoing(row) -> Outgoing:
    """A candidate row as the message that would send it."""
    return Outgoing(row.id, row.channel, row.address, row.body or "", tuple(row.options or ()), row.attempts + 1,
                    1, (), row.created_at, row.language, row.template)


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    suppressed: int = 0


# A message handed over that a limit would not let go now: it goes back to the queue, due now,
# as if never tried, and the claim (the recovery sweep) sends it when the limit allows.
DEFERRED = Outcome("deferred")


@dataclass
class Plan:
    """What the event loop decided from a read: rows to claim and other changes to store."""

    now: datetime
    messages: list[Outgoing]
    changes: list[dict[str, Any]]


class Sender:
    """Sends the outbox in the background of the web app; safe to stop and start again.

    Its state (the rows in its hands, who waits for a retry, the token buckets) belongs to the
    event loop alone: the database work runs in threads that take and return plain values.
    """

    def __init__(self, sessions: sessionmaker, clock: Clock, settings, routes: dict[str, Route],
                 rng: random.Random | None = None, write_lock=None):
        self.sessions = sessions
        self.clock = clock
        self.settings = settings.sender
        self.routes = routes
        self.rng = rng or random.Random()
        # Shared with the web app's turns on SQLite (see bot/web.py); a no-op otherwise.
        self.write_lock = write_lock if write_lock is not None else contextlib.nullcontext()
        self.stats = Stats()
        self.running = False
        # Every row of the messages in this sender's hands (claimed or handed over, until recorded):
        # one message per recipient at a time (a turn's SMS rows go as one).
        self._sending: dict[int, tuple[str, str]] = {}
        self._waiting: dict[tuple[str, str], tuple[int, datetime]] = {}   # recipient -> (row id, retry at)
        self._elsewhere: set[tuple[str, str]] = set()   # recipients with a row in another sender's hands
        self._scanned_at = float("-inf")
        self._db_lost = False                     # the last claim failed (the database away?)
        self._db_back_at: datetime | None = None   # when a claim worked again after that
        self._finished: set[int] = set()   # rows this sender recorded since it last read the outbox
        self._results: list[tuple[Outgoing, Outcome]] = []
        self._wake = asyncio.Event()
        self._results_ready = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._held_back = float("inf")   # seconds until a row a rate limit held back may go
        self._more_waiting = True        # the last claim left rows behind (look again after a record)
        self._next: dict[tuple[str, str], list[Outgoing]] = {}   # handed messages waiting for the one before

    def wake(self) -> None:
        """Rows were queued that nobody handed over: look now rather than at the next poll."""
        self._wake.set()

    def take(self, messages: Sequence[Outgoing]) -> None:
        """Send a turn's replies to one person without a claim: the first message was committed
        claimed ("sending"), the others queued behind it (Handled.handed, bot/dispatcher.py).

        Called on the event loop straight after the commit. The next message is claimed when the
        one before it is recorded as sent, in the same transaction; anything else (a retry, a
        limit that holds the first back) leaves the rest to the claim, in order.
        """
        first, *rest = messages
        if not self.running:
            # Stopping: nothing here will send it. Back to the queue (or, if that fails, it
            # counts as interrupted when its claim expires, as after a crash).
            changes, _ = self._outcomes([(first, DEFERRED)])
            asyncio.get_running_loop().run_in_executor(None, self._store_outcomes, changes, set())
            return
        if rest:
            self._next[(first.channel, first.address)] = rest
        key = (first.channel, first.address)
        route = self.routes[first.channel]
        message = dataclasses.replace(first, segments=route.cost(first.body, first.options))
        self._hold(message)
        # A look at the outbox may have seen these rows before they were handed over and taken
        # them for another sender's: they are ours.
        if self._waiting.get(key, (None,))[0] in message.row_ids:
            del self._waiting[key]
            self._elsewhere.discard(key)
        mono = time.monotonic()
        if route.allow(message.address, message.segments, mono):
            self._start(message)
        else:
            self._held_back = min(self._held_back, route.wait_hint(message.address, message.segments, mono))
            self._done(message, DEFERRED)

    def take_behind(self, messages: Sequence[Outgoing]) -> None:
        """Send a turn's replies to one person, committed queued, after their message in this sender's
        hands: claimed when that one is recorded as sent, as take's later messages are. If nothing of
        theirs is in our hands (another sender's, or recorded meanwhile), the claim sends them."""
        key = (messages[0].channel, messages[0].address)
        if self.running and key in self._sending.values() and key not in self._waiting:
            self._next[key] = [*self._next.get(key, ()), *messages]
        else:
            self.wake()

    def _hold(self, message: Outgoing) -> None:
        self._sending.update(dict.fromkeys(message.row_ids, (message.channel, message.address)))

    def _defer(self, message: Outgoing) -> None:
        """Put claimed rows back in the queue, as if never tried, through the recorder."""
        self._hold(message)
        self._done(message, DEFERRED)

    def _done(self, message: Outgoing, outcome: Outcome) -> None:
        self._results.append((message, outcome))
        self._results_ready.set()

    # ------------------------------------------------------------ the loops

    async def _in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def run(self, stop: asyncio.Event) -> None:
        """Claim, send and record until `stop` is set; then finish what is in flight."""
        self.running = True
        self._wake, self._results_ready = asyncio.Event(), asyncio.Event()   # this loop's (drain runs one each)
        recorder = asyncio.create_task(self._record_loop(stop))
        try:
            while not stop.is_set():
                # Cleared before looking, so a wake-up that comes while we look is not lost.
                self._wake.clear()
                if not await self._sweep():
                    # Rows held back by a rate limit go as soon as it allows, not at the next poll.
                    wait = min(self.settings.idle_poll_s, max(0.002, self._held_back))
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), wait)
        finally:
            self.running = False
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._results_ready.set()
            await recorder

    async def _sweep(self) -> int:
        """The recovery sweep: read the outbox, decide, claim and start sending; how many messages it started."""
        capacity = self.settings.concurrency - len(set(self._sending.values()))
        if capacity <= 0:
            return 0
        # A channel at its provider's limit is left out of the claim: with a backlog behind
        # Twilio's 1 segment a second, every wake-up would otherwise read and refuse a whole batch.
        channels, closed_for = self._open_channels()
        if not channels:
            self._held_back = closed_for
            return 0
        plan = None
        try:
            read = await self._in_thread(self._read, channels, self._rescan_due())
            if self._db_lost:
                self._db_lost, self._db_back_at = False, read.now
            plan = self._decide(read, capacity)
            batch = self._claimed(plan, await self._in_thread(self._write, plan))
        except Exception:  # noqa: BLE001 - e.g. the database is down: try again later
            log.exception("could not claim outbox rows")
            self._db_lost = True
            if plan is not None:
                # Not ours after all (nothing was sent): kept, they would hold their recipients
                # back for good. A claim that did commit expires and the sweep sends its rows, once.
                self._claimed(plan, set())
            batch = []
            await asyncio.sleep(1)
        self._held_back = min(self._held_back, closed_for)
        for message in batch:
            self._start(message)
        return len(batch)

    def _start(self, message: Outgoing) -> None:
        task = asyncio.create_task(self._send(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, message: Outgoing) -> None:
        route = self.routes[message.channel]
        try:
            async with asyncio.timeout(self.settings.http_timeout_s * 1.5):   # no task more, as wait_for makes
                outcome = await route.transport.send(message)
        except TimeoutError:
            outcome = Outcome.retry("timed out")
        except Exception as exc:  # noqa: BLE001 - a transport bug must not lose the row
            log.exception("transport failed")
            outcome = Outcome.retry(f"{type(exc).__name__}: {exc}")
        if outcome.kind == "rate_limited":
            route.pause(outcome.retry_after or self._backoff(message.attempts))
        OUTBOUND.labels(message.channel, outbound_result(outcome.kind, message.attempts,
                                                         self.settings.max_attempts)).inc()
        self._done(message, outcome)

    async def _record_loop(self, stop: asyncio.Event) -> None:
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            if self._results:
                results, self._results = self._results, []
                await self._record_results(results, stop)
            if stop.is_set() and all(t.done() for t in self._tasks) and not self._results:
                return

    async def _record_results(self, results: list[tuple[Outgoing, Outcome]], stop: asyncio.Event) -> None:
        """Store what happened to these messages; claim in the same transaction the handed message
        after each one sent, and send it."""
        changes, unreachable = self._outcomes(results)
        following = [waiting for message, outcome in results
                     if (waiting := self._next.pop((message.channel, message.address), None))
                     and outcome.kind == "sent"]
        claim_ids = [i for waiting in following for i in waiting[0].row_ids]
        attempt = 0
        while True:
            try:
                claimed = await self._in_thread(self._store_outcomes, changes, unreachable, claim_ids)
                break
            except Exception:  # noqa: BLE001 - keep the outcome and try again
                attempt += 1
                log.exception("could not record sent messages (attempt %d)", attempt)
                # Giving up would forget these rows are ours and sent: the sweep would send them
                # all again after a long outage. Only stopping gives up (a crash, in effect: at
                # most one message per person is repeated).
                if stop.is_set() and attempt >= 30:
                    claimed = set()
                    break
                await asyncio.sleep(min(5, 0.1 * 2 ** min(attempt, 10)))
        for message, _ in results:
            # A look at the outbox that began before this record committed still saw the rows
            # "sending": this says they are ours and done, not another sender's.
            self._finished.update(message.row_ids)
            for row_id in message.row_ids:
                self._sending.pop(row_id, None)
            if self._next.pop((message.channel, message.address), None):
                self._wake.set()   # handed behind it while it was recorded: the claim sends them
        for first, *rest in following:
            got = tuple(i for i in first.row_ids if i in claimed)
            if got == first.row_ids and self.running:
                self.take([first, *rest])
            elif got:   # another sender took part of it, or we are stopping: back to the queue
                self._defer(dataclasses.replace(first, id=got[0], ids=got))
        if self._more_waiting or any(o.kind != "sent" for _, o in results):
            self._wake.set()  # a recipient's next row may go now

    async def drain(self, timeout: float = 30.0) -> None:
        """Run until nothing is queued (due now) or sending: how tests and the simulator send."""
        stop = asyncio.Event()
        runner = asyncio.create_task(self.run(stop))
        try:
            deadline = time.monotonic() + timeout
            while await self._in_thread(self._due_count, self.clock.now()) or self._sending or self._results:
                if time.monotonic() > deadline:
                    raise TimeoutError("the outbox did not drain")
                self._wake.set()
                await asyncio.sleep(0.001)
        finally:
            stop.set()
            self._wake.set()
            await runner

    # ------------------------------------------------------------ deciding (event loop)

    def _open_channels(self) -> tuple[list[str], float]:
        """The channels whose provider limit lets a message through now, and the seconds until
        the first of the others does (infinity when none is closed)."""
        mono = time.monotonic()
        channels, closed_for = [], float("inf")
        for channel, route in self.routes.items():
            wait = route.reopens_in(mono)
            if wait > 0:
                closed_for = min(closed_for, wait)
            else:
                channels.append(channel)
        return channels, closed_for

    def _rescan_due(self) -> bool:
        # Several senders: what the others hold is read at every claim; alone, once a second
        # (at start, which is when rows left "sending" by a crash are found), and in between this
        # sender's own records keep it current.
        return self.settings.instances > 1 or time.monotonic() - self._scanned_at >= RESCAN_S

    def _claim(self, capacity: int, channels: list[str] | None = None) -> list[Outgoing]:
        """Read, decide and claim in the calling thread (tests; the run loop does it in steps)."""
        read = self._read(channels or list(self.routes), self._rescan_due())
        plan = self._decide(read, capacity)
        return self._claimed(plan, self._write(plan))

    def _decide(self, read: Outbox, capacity: int) -> Plan:
        """Which candidates may go now: per-person order, opt-outs, limits, urgent rows first."""
        now, mono = read.now, time.monotonic()
        self._held_back = float("inf")
        changes: list[dict[str, Any]] = []
        requeued = self._scan(read.holding, now, changes) if read.holding is not None else {}
        blocked = self._blocked(now, read.candidates)
        for key, row_id in requeued.items():   # put back in the queue now: it goes before their later rows
            blocked[key] = min(blocked.get(key, row_id), row_id)
        in_flight = set(self._sending.values())
        candidates = read.candidates
        messages: list[Outgoing] = []
        decided: set[tuple[str, str]] = set()
        more_waiting = False
        for index, row in enumerate(candidates, 1):
            key = (row.channel, row.address)
            if row.id in self._sending:
                # Ours already: claimed with a record (or handed over) since this read. Planned
                # again, its claim would fail and _claimed would forget it was ours, and the
                # recovery sweep would later send it again as another sender's expired claim.
                continue
            if key in decided:
                more_waiting = True
                continue
            if row.priority:
                # Ahead of the recipient's own queue and retries; still one message in flight.
                if key in in_flight or key in self._elsewhere:
                    decided.add(key)
                    more_waiting = True
                    continue
            elif blocked.get(key, row.id + 1) < row.id:
                more_waiting = True
                continue
            # Checked now, at send time: a STOP after the row was queued still counts.
            refused = ({"status": "suppressed"} if row.opted_out and not row.ignore_opt_out else
                       {"status": "unreachable", "last_error": "address unreachable"}
                       if row.unreachable_at is not None else None)
            if refused:
                changes.append({"id": row.id, **refused})
                self.stats.suppressed += 1
                OUTBOUND.labels(row.channel, "suppressed").inc()
                continue
            decided.add(key)  # whatever happens, this recipient's later rows wait their turn
            if len(messages) >= capacity:
                more_waiting = True
                continue
            route = self.routes[row.channel]
            message = _outgoing(row)
            if route.joins_turns:
                message = join_turn([message, *map(_outgoing, self._same_turn(row, candidates[index:]))])[0]
            message = dataclasses.replace(message, segments=route.cost(message.body, message.options))
            if not route.allow(row.address, message.segments, mono):
                self._held_back = min(self._held_back, route.wait_hint(row.address, message.segments, mono))
                more_waiting = True
                continue
            messages.append(message)
        for message in messages:   # ours from now: a take() or the next look must know
            self._hold(message)
        # Now, not once the claim is written: a record that lands meanwhile must see it and wake us.
        self._more_waiting = more_waiting
        return Plan(now, messages, changes)

    @staticmethod
    def _same_turn(first, later: list) -> list:
        """The rows after `first` that its turn wrote to the same address and that may join it (SMS).

        Rows of one turn need not be next to each other in id order (other turns commit in
        between), so this looks past other recipients' rows; those are left for the main loop.
        """
        rows = []
        for row in later:
            if (row.channel, row.address) != (first.channel, first.address):
                continue
            if row.created_at != first.created_at or row.attempts or row.opted_out and not row.ignore_opt_out \
                    or row.unreachable_at is not None:
                break
            rows.append(row)
        return rows

    def _claimed(self, plan: Plan, claimed_ids: set[int]) -> list[Outgoing]:
        """The planned messages whose rows were all still queued (another sender may have won some)."""
        claimed = []
        for message in plan.messages:
            if all(i in claimed_ids for i in message.row_ids):
                claimed.append(message)
                continue
            for row_id in message.row_ids:
                self._sending.pop(row_id, None)
            got = tuple(i for i in message.row_ids if i in claimed_ids)
            if got:   # part of a joined SMS (another sender took the rest): put it back
                self._defer(dataclasses.replace(message, id=got[0], ids=got))
        return claimed

    def _scan(self, holding: list, now: datetime, changes: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
        """Take in the rows holding recipients back: retries, other senders' rows, crashed ones.

        Returns the recipients whose row a crash interrupted and that goes back in the queue.
        """
        self._scanned_at = time.monotonic()
        noted, self._waiting, self._elsewhere = self._waiting, {}, set()
        requeued: dict[tuple[str, str], int] = {}
        for row in holding:
            key = (row.channel, row.address)
            if row.status == "queued":
                self._note_waiting(key, row.id, row.not_before)
            elif row.id in self._sending or row.id in self._finished:
                # Ours. (Checking only the first row of each message in flight took the other
                # rows of a joined SMS for another sender's and held their recipient back
                # until the next look, a second later: the benchmark's p99 of 1 s.) "Sending" in
                # this read, it may since have been put back in the queue by our own record (the
                # read ran while the record committed): the retry that record noted still holds
                # the recipient back.
                if noted.get(key, (None,))[0] == row.id:
                    self._note_waiting(key, *noted[key])
            elif (row.claimed_until is None or row.claimed_until < now) and not self._owner_may_be_recording(now):
                fresh = row.created_at >= now - timedelta(seconds=self.settings.resend_window_s)
                if fresh and row.last_error != INTERRUPTED_NOTE:
                    changes.append({"id": row.id, "status": "queued", "not_before": now, "claimed_until": None,
                                    "last_error": INTERRUPTED_NOTE})
                    requeued[key] = min(requeued.get(key, row.id), row.id)
                else:
                    changes.append({"id": row.id, "status": "ambiguous", "claimed_until": None,
                                    "last_error": "interrupted while sending; not sent again"})
            else:
                self._note_waiting(key, row.id, row.claimed_until or now)   # another sender has it
                self._elsewhere.add(key)
        # Rows recorded before the read cannot look "sending" in it. (The read is older than
        # anything recorded since it was handed back; those stay known a look longer.)
        self._finished.clear()
        return requeued

    def _owner_may_be_recording(self, now: datetime) -> bool:
        """Whether another sender's expired claim may be a live sender's, not a crashed one's.

        A database outage longer than `claim_s` lets every claim made before it expire, while
        their senders hold the outcomes and store them once the database is back (they retry
        until stored). Back from an outage we saw, we give them `claim_s` to do so before we
        take their rows for a crash's and send them again.
        """
        return (self.settings.instances > 1 and self._db_back_at is not None
                and now - self._db_back_at < timedelta(seconds=self.settings.claim_s))

    def _blocked(self, now: datetime, candidates: list) -> dict[tuple[str, str], int]:
        """Recipients whose next row must wait: one in flight, or one waiting to be retried."""
        blocked: dict[tuple[str, str], int] = {}
        read = {row.id for row in candidates} if self._waiting else set()
        for key, (row_id, until) in list(self._waiting.items()):
            if until <= now and row_id in read:
                del self._waiting[key]   # due, and read as queued: a candidate itself, first in id order
            else:
                # Not due yet; or due but not read as queued: the read began before the record
                # that put it back committed (it shows the row "sending"), so the recipient's
                # later rows in it must still wait.
                blocked[key] = row_id
        for row_id, key in self._sending.items():
            blocked[key] = min(blocked.get(key, row_id), row_id)
        return blocked

    def _note_waiting(self, key: tuple[str, str], row_id: int, until: datetime) -> None:
        known = self._waiting.get(key)
        self._waiting[key] = (row_id, until) if known is None else (min(known[0], row_id), max(known[1], until))

    def _outcomes(self, results: list[tuple[Outgoing, Outcome]]) -> tuple[list[dict[str, Any]], set]:
        """The row changes for what happened to each message (stats and retries noted here, on the loop)."""
        now = self.clock.now()
        changes: list[dict[str, Any]] = []
        unreachable: set[tuple[str, str]] = set()
        for message, outcome in results:
            key = (message.channel, message.address)
            if outcome.kind == "sent":
                self.stats.sent += 1
                change = dict(status="sent", sent_at=now, provider_id=outcome.provider_id,
                              provider_status=outcome.provider_status, last_error=None)
            elif outcome is DEFERRED:
                change = dict(status="queued", not_before=now, attempts=message.attempts - 1)
                # Due now and still first in line: until a read shows it queued again, a read
                # that began before this record (the row "sending") must not send the next row.
                self._note_waiting(key, message.id, now)
            elif outcome.kind == "rate_limited":
                self.stats.rate_limited += 1
                until = now + timedelta(seconds=outcome.retry_after or self._backoff(message.attempts))
                # Asked to slow down is not a failed attempt: it does not count towards giving up.
                change = dict(status="queued", not_before=until, attempts=message.attempts - 1,
                              last_error=outcome.error)
                self._note_waiting(key, message.id, until)
            elif outcome.kind == "retry" and self._worth_retrying(message, now):
                self.stats.retried += 1
                until = now + timedelta(seconds=self._backoff(message.attempts))
                change = dict(status="queued", last_error=outcome.error, not_before=until)
                self._note_waiting(key, message.id, until)
            else:
                self.stats.failed += 1
                change = dict(status="failed", last_error=outcome.error)
                if outcome.unreachable:
                    unreachable.add(key)
            for row_id in message.row_ids:
                segments = {} if outcome is DEFERRED else {
                    "segments": message.segments if row_id == message.row_ids[0] else 0}
                changes.append({"id": row_id, "claimed_until": None, **change, **segments})
        return changes, unreachable

    def _record(self, results: list[tuple[Outgoing, Outcome]]) -> None:
        """Store what happened to each message handed over, in one transaction."""
        self._store_outcomes(*self._outcomes(results))

    # ------------------------------------------------------------ database work (threads)

    @property
    def engine(self) -> Engine:
        # The sender's statements are all Core: a connection, not an ORM session, saves a third
        # of what recording a send costs (bench/README.md, "Send side, second round").
        return self.sessions.kw["bind"]

    def _read(self, channels: list[str], holding: bool) -> Outbox:
        """The candidates on `channels` (and, if asked, the rows holding recipients back), in one snapshot."""
        now = self.clock.now()
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql" and holding and self.settings.instances > 1:
                # Another sender's claim must not fall between the two reads.
                connection.execution_options(isolation_level="REPEATABLE READ")
            return read_outbox(connection, now, channels, self.settings.batch, holding)

    def _write(self, plan: Plan) -> set[int]:
        """Store the plan's changes and mark its rows sending; the ids that were still queued."""
        ids = [i for message in plan.messages for i in message.row_ids]
        if not ids and not plan.changes:
            return set()
        with self.write_lock, self.engine.begin() as connection:
            update_rows(connection, plan.changes)
            # Still queued: two senders never claim one row (the second's UPDATE finds it sending).
            return claim_due(connection, ids, plan.now + timedelta(seconds=self.settings.claim_s), plan.now) if ids \
                else set()

    def _store_outcomes(self, changes: list[dict[str, Any]], unreachable: set[tuple[str, str]],
                        claim_ids: Sequence[int] = ()) -> set[int]:
        """Store outcomes; and claim `claim_ids` (handed rows next in line), returning those it got."""
        now = self.clock.now()
        with self.write_lock, self.engine.begin() as connection:
            update_rows(connection, changes)
            mark_unreachable(connection, unreachable, now)
            return claim_rows(connection, claim_ids, now + timedelta(seconds=self.settings.claim_s)) if claim_ids \
                else set()

    def _due_count(self, now: datetime) -> int:
        with self.sessions() as session:
            return count_due(session, now, list(self.routes))

    def _worth_retrying(self, message: Outgoing, now: datetime) -> bool:
        """A timeout or 5xx is retried max_attempts times, and for retry_for_s however many tries that takes.

        Counting tries alone would give up on every queued message during a provider outage
        longer than the backoff adds up to (about two minutes by default), losing them all.
        """
        return message.attempts < self.settings.max_attempts or (
            message.created_at is not None and now - message.created_at < timedelta(seconds=self.settings.retry_for_s))

    def _backoff(self, attempts: int) -> float:
        """Exponential, capped, with jitter so that retries after an outage do not arrive together."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** max(0, attempts - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def queue_depth(self) -> int:
        with self.sessions() as session:
            return count_waiting(session)
