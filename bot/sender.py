"""The sender: hands committed outbox rows to Telegram and Twilio, within their limits.

A row goes queued -> sending (claimed, committed before the provider is called) -> sent,
or back to queued with a later `not_before` (timeouts, 5xx: exponential backoff with jitter;
429: the provider's retry-after), or failed (permanent errors; the address is marked
unreachable when the provider says the person cannot be reached there).

Order per person: one row per recipient is in flight at a time, and a row waiting for a
retry holds back that recipient's later rows. Scheduled rows (not yet due, never tried)
hold back nothing.

Crash between sending and recording: the row stays "sending" with `claimed_until` in the
past. We resend it once the claim has expired if it is younger than `resend_window_s`
(at-least-once: a reply that never arrives leaves someone waiting, one repeated message
does not), and mark it "ambiguous" otherwise, so a sender that was down for hours never
sends stale messages. Because only one row per recipient is in flight at a time, a crash
can repeat at most one message per person: never a burst.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.channels.base import Outcome, Outgoing
from bot.clock import Clock
from bot.rendering import render_sms
from bot.sms_segments import measure
from storage.models import DeliveryStatus, OutboundMessage, Person, PersonAddress

log = logging.getLogger(__name__)

INTERRUPTED_RESENDS = 1   # how many times a row interrupted by a crash is sent again


class Transport(Protocol):
    async def send(self, message: Outgoing) -> Outcome: ...


class TokenBucket:
    """`rate` tokens a second up to `capacity`; a costly message may take it into debt.

    Debt lets a 3-segment SMS through a 1-segment-a-second limit, then holds the next ones.
    """

    def __init__(self, rate: float, capacity: float, now: float | None = None):
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self.tokens = self.capacity
        self.updated = time.monotonic() if now is None else now

    def take(self, cost: float = 1.0, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = max(self.updated, now)
        if self.tokens <= 0 or self.tokens < min(cost, 1.0):
            return False
        self.tokens -= cost
        return True


@dataclass
class Route:
    """A channel's transport and its limits (overall, and per recipient)."""

    channel: str
    transport: Transport
    overall: TokenBucket
    per_recipient_rate: float | None = None
    per_recipient_burst: int = 1
    cost: Callable[[str, tuple], int] = lambda body, options: 1
    paused_until: float = 0.0
    recipients: dict[str, TokenBucket] = field(default_factory=dict)

    def allow(self, address: str, cost: int, now: float) -> bool:
        if now < self.paused_until:
            return False
        bucket = None
        if self.per_recipient_rate:
            bucket = self.recipients.get(address)
            if bucket is None:
                bucket = self.recipients[address] = TokenBucket(self.per_recipient_rate, self.per_recipient_burst,
                                                                now)
            # Refill without taking, so a refusal by the overall limit costs the recipient nothing.
            if not bucket.take(0, now) or bucket.tokens < 1:
                return False
        if not self.overall.take(cost, now):
            return False
        if bucket is not None:
            bucket.tokens -= 1
        if len(self.recipients) > 50_000:
            self.recipients.clear()  # full buckets carry no information: start again
        return True

    def wait_hint(self, address: str, cost: int, now: float) -> float:
        """Seconds until a message refused now could be allowed."""
        waits = [self.paused_until - now]
        if self.overall.rate:
            waits.append((min(cost, 1.0) - self.overall.tokens) / self.overall.rate)
        bucket = self.recipients.get(address)
        if bucket is not None and bucket.rate:
            waits.append((1.0 - bucket.tokens) / bucket.rate)
        return max(0.0, *waits)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


def sms_segments(body: str, options: tuple) -> int:
    return max(1, measure(render_sms(body, options)).segments)


def routes_from_settings(settings, transports: dict[str, Transport]) -> dict[str, Route]:
    """The limits in `sender.*` applied to the transports we have."""
    s = settings.sender
    routes = {}
    if "telegram" in transports:
        routes["telegram"] = Route(
            "telegram", transports["telegram"], TokenBucket(s.telegram_per_second, s.telegram_per_second),
            per_recipient_rate=s.telegram_per_chat_per_second, per_recipient_burst=s.telegram_per_chat_burst,
        )
    if "sms" in transports:
        # One sending number (or messaging service): its segments-per-second is the limit.
        routes["sms"] = Route(
            "sms", transports["sms"],
            TokenBucket(s.twilio_segments_per_second, max(1.0, s.twilio_segments_per_second)),
            cost=sms_segments,
        )
    return routes


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    suppressed: int = 0


class Sender:
    """Sends the outbox in the background of the web app; safe to stop and start again."""

    def __init__(self, sessions: sessionmaker, clock: Clock, settings, routes: dict[str, Route],
                 rng: random.Random | None = None):
        self.sessions = sessions
        self.clock = clock
        self.settings = settings.sender
        self.routes = routes
        self.rng = rng or random.Random()
        self.stats = Stats()
        self.running = False
        self._in_flight: set[int] = set()
        self._results: list[tuple[Outgoing, Outcome]] = []
        self._wake = asyncio.Event()
        self._results_ready = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._held_back = float("inf")   # seconds until a row a rate limit held back may go

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    # ------------------------------------------------------------ the loops

    async def run(self, stop: asyncio.Event) -> None:
        """Claim, send and record until `stop` is set; then finish what is in flight."""
        self.running = True
        recorder = asyncio.create_task(self._record_loop(stop))
        try:
            while not stop.is_set():
                claimed = 0
                # Cleared before looking, so a wake-up that comes while we look is not lost.
                self._wake.clear()
                capacity = self.settings.concurrency - len(self._in_flight)
                if capacity > 0:
                    try:
                        batch = await run_in_threadpool(self._claim, capacity)
                    except Exception:  # noqa: BLE001 - e.g. the database is down: try again later
                        log.exception("could not claim outbox rows")
                        batch = []
                        await asyncio.sleep(1)
                    for message in batch:
                        self._in_flight.add(message.id)
                        task = asyncio.create_task(self._send(message))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    claimed = len(batch)
                if not claimed:
                    # Rows held back by a rate limit go as soon as it allows, not at the next poll.
                    wait = min(self.settings.idle_poll_s, max(0.002, self._held_back))
                    try:
                        await asyncio.wait_for(self._wake.wait(), wait)
                    except asyncio.TimeoutError:
                        pass
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            self._results_ready.set()
            await recorder
            self.running = False

    async def _send(self, message: Outgoing) -> None:
        route = self.routes[message.channel]
        try:
            outcome = await asyncio.wait_for(route.transport.send(message), self.settings.http_timeout_s * 1.5)
        except asyncio.TimeoutError:
            outcome = Outcome.retry("timed out")
        except Exception as exc:  # noqa: BLE001 - a transport bug must not lose the row
            log.exception("transport failed")
            outcome = Outcome.retry(f"{type(exc).__name__}: {exc}")
        if outcome.kind == "rate_limited":
            route.pause(outcome.retry_after or self._backoff(message.attempts))
        self._results.append((message, outcome))
        self._results_ready.set()

    async def _record_loop(self, stop: asyncio.Event) -> None:
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            if self._results:
                results, self._results = self._results, []
                for attempt in range(30):
                    try:
                        await run_in_threadpool(self._record, results)
                        break
                    except Exception:  # noqa: BLE001 - keep the outcome and try again
                        log.exception("could not record sent messages (attempt %d)", attempt + 1)
                        await asyncio.sleep(min(5, 0.1 * 2 ** attempt))
                for message, _ in results:
                    self._in_flight.discard(message.id)
                self._wake.set()  # a recipient's next row may go now
            if stop.is_set() and all(t.done() for t in self._tasks) and not self._results:
                return

    # ------------------------------------------------------------ database work

    def _claim(self, capacity: int) -> list[Outgoing]:
        """Pick the rows that may go now and mark them sending, in one transaction."""
        now = self.clock.now()
        mono = time.monotonic()
        self._held_back = float("inf")
        claim_until = now + timedelta(seconds=self.settings.claim_s)
        with self.sessions.begin() as session:
            blocked: dict[tuple[str, str], int] = {}
            interrupted = []
            for row in session.execute(
                select(OutboundMessage.id, OutboundMessage.channel, OutboundMessage.address,
                       OutboundMessage.claimed_until, OutboundMessage.created_at, OutboundMessage.attempts)
                .where(OutboundMessage.status == "sending")
            ):
                if row.id not in self._in_flight and (row.claimed_until is None or row.claimed_until < now):
                    interrupted.append(row)
                else:
                    key = (row.channel, row.address)
                    blocked[key] = min(blocked.get(key, row.id), row.id)
            changes: list[dict[str, Any]] = []
            for row in interrupted:
                fresh = row.created_at >= now - timedelta(seconds=self.settings.resend_window_s)
                if fresh and row.attempts <= INTERRUPTED_RESENDS:
                    changes.append({"id": row.id, "status": "queued", "not_before": now, "claimed_until": None,
                                    "last_error": "interrupted while sending; sent again"})
                else:
                    changes.append({"id": row.id, "status": "ambiguous", "claimed_until": None,
                                    "last_error": "interrupted while sending; not sent again"})
            if changes:
                session.execute(update(OutboundMessage), changes)
                changes = []
            for row in session.execute(
                select(OutboundMessage.id, OutboundMessage.channel, OutboundMessage.address)
                # Tried and waiting to be tried again (a 429 leaves attempts as they were, so
                # the error is the mark); a scheduled row, never tried, holds nothing back.
                .where(OutboundMessage.status == "queued", OutboundMessage.not_before > now,
                       or_(OutboundMessage.attempts > 0, OutboundMessage.last_error.is_not(None)))
            ):
                key = (row.channel, row.address)
                blocked[key] = min(blocked.get(key, row.id), row.id)

            query = (
                select(OutboundMessage, Person.opted_out, PersonAddress.unreachable_at)
                .outerjoin(Person, Person.id == OutboundMessage.person_id)
                .outerjoin(PersonAddress, and_(PersonAddress.channel == OutboundMessage.channel,
                                               PersonAddress.address == OutboundMessage.address))
                .where(OutboundMessage.status == "queued", OutboundMessage.not_before <= now,
                       OutboundMessage.channel.in_(list(self.routes)))
                .order_by(OutboundMessage.id)
                .limit(self.settings.batch)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=OutboundMessage)
            candidates = session.execute(query).all()

            claimed: list[Outgoing] = []
            decided: set[tuple[str, str]] = set()
            index = 0
            while index < len(candidates):
                row, opted_out, unreachable_at = candidates[index]
                index += 1
                key = (row.channel, row.address)
                if key in decided or blocked.get(key, row.id + 1) < row.id:
                    continue
                # Checked now, at send time: a STOP after the row was queued still counts.
                if opted_out and not row.ignore_opt_out:
                    changes.append({"id": row.id, "status": "suppressed"})
                    self.stats.suppressed += 1
                    continue
                if unreachable_at is not None:
                    changes.append({"id": row.id, "status": "unreachable", "last_error": "address unreachable"})
                    self.stats.suppressed += 1
                    continue
                decided.add(key)  # whatever happens, this recipient's later rows wait their turn
                if len(claimed) >= capacity:
                    continue
                route = self.routes[row.channel]
                body, options, ids = row.body or "", tuple(row.options or ()), [row.id]
                if row.channel == "sms":
                    body, options, ids, index = self._join_turn(row, candidates, index, blocked)
                cost = route.cost(body, options)
                if not route.allow(row.address, cost, mono):
                    self._held_back = min(self._held_back, route.wait_hint(row.address, cost, mono))
                    continue
                attempts = row.attempts + 1
                for row_id in ids:
                    changes.append({"id": row_id, "status": "sending", "claimed_until": claim_until,
                                    "attempts": attempts, "segments": cost if row_id == ids[0] else 0})
                claimed.append(Outgoing(row.id, row.channel, row.address, body, options, attempts, cost,
                                        tuple(ids) if len(ids) > 1 else ()))
            if changes:
                session.execute(update(OutboundMessage), changes)
        return claimed

    @staticmethod
    def _join_turn(first, candidates, index, blocked):
        """One SMS for the rows a turn wrote to one number, when that costs no more segments."""
        body, options, ids = first.body or "", tuple(first.options or ()), [first.id]
        while index < len(candidates) and not options:
            row, opted_out, unreachable_at = candidates[index]
            if (row.channel, row.address) != (first.channel, first.address) or row.created_at != first.created_at \
                    or row.attempts or opted_out and not row.ignore_opt_out or unreachable_at is not None:
                break
            joined = body + "\n\n" + (row.body or "")
            row_options = tuple(row.options or ())
            if sms_segments(joined, row_options) > sms_segments(body, ()) + sms_segments(row.body or "", row_options):
                break
            body, options = joined, row_options
            ids.append(row.id)
            index += 1
        return body, options, ids, index

    def _record(self, results: list[tuple[Outgoing, Outcome]]) -> None:
        """Store what happened to each message handed over, in one transaction."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            sent_ids = [(m.channel, o.provider_id) for m, o in results if o.kind == "sent" and o.provider_id]
            early: dict[tuple[str, str], DeliveryStatus] = {}
            if sent_ids:
                for status in session.scalars(select(DeliveryStatus).where(
                        DeliveryStatus.provider_id.in_([p for _, p in sent_ids]))):
                    early[(status.channel, status.provider_id)] = status
            changes: list[dict[str, Any]] = []
            unreachable: set[tuple[str, str]] = set()
            for message, outcome in results:
                base: dict[str, Any] = {"claimed_until": None}
                if outcome.kind == "sent":
                    self.stats.sent += 1
                    status = outcome.provider_status
                    reported = early.get((message.channel, outcome.provider_id))
                    if reported is not None:
                        status = reported.status  # a callback beat us here; it is further along
                    base.update(status="sent", sent_at=now, provider_id=outcome.provider_id,
                                provider_status=status, last_error=None)
                elif outcome.kind == "rate_limited":
                    self.stats.rate_limited += 1
                    wait = outcome.retry_after or self._backoff(message.attempts)
                    # Asked to slow down is not a failed attempt: it does not count towards giving up.
                    base.update(status="queued", not_before=now + timedelta(seconds=wait),
                                attempts=message.attempts - 1, last_error=outcome.error)
                elif outcome.kind == "retry" and message.attempts < self.settings.max_attempts:
                    self.stats.retried += 1
                    base.update(status="queued", last_error=outcome.error,
                                not_before=now + timedelta(seconds=self._backoff(message.attempts)))
                else:
                    self.stats.failed += 1
                    base.update(status="failed", last_error=outcome.error)
                    if outcome.unreachable:
                        unreachable.add((message.channel, message.address))
                for row_id in message.row_ids:
                    changes.append({"id": row_id, **base})
            session.execute(update(OutboundMessage), changes)
            for channel, address in unreachable:
                session.execute(
                    update(PersonAddress)
                    .where(PersonAddress.channel == channel, PersonAddress.address == address)
                    .values(unreachable_at=now)
                )

    def _backoff(self, attempts: int) -> float:
        """Exponential, capped, with jitter so that retries after an outage do not arrive together."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** max(0, attempts - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def queue_depth(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboundMessage)
                                  .where(OutboundMessage.status.in_(("queued", "sending")))) or 0
