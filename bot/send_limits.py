"""The limits each channel sends within: a token bucket per provider, and per recipient.

A `Route` is a channel's transport with its limits (from its spec, bot/channels/); the sender
(bot/sender.py) asks it whether a message may go now, and how long until one may.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from bot.channels import registry
from bot.channels.base import Outcome, Outgoing


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
    joins_turns: bool = False   # a turn's rows to one address go as one message when that costs no more (SMS)
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

    def reopens_in(self, now: float) -> float:
        """Seconds until this route lets any message through (0: it would now)."""
        self.overall.take(0, now)   # brings the bucket up to date, takes nothing
        waits = [self.paused_until - now]
        if self.overall.tokens < 1:
            waits.append((1 - self.overall.tokens) / self.overall.rate if self.overall.rate > 0 else float("inf"))
        return max(0.0, *waits)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


def routes_from_settings(settings, transports: dict[str, Transport]) -> dict[str, Route]:
    """Each channel's limits (its spec, bot/channels/) applied to the transports we have."""
    share = 1 / max(1, settings.sender.instances)   # several senders: each keeps to its share of the limits
    routes = {}
    for name, transport in transports.items():
        spec = registry.spec(name)
        limits = spec.limits(settings)
        overall = limits.per_second * share
        routes[name] = Route(
            name, transport, TokenBucket(overall, max(1.0, overall)),
            per_recipient_rate=limits.per_recipient_per_second and limits.per_recipient_per_second * share,
            per_recipient_burst=limits.per_recipient_burst, cost=spec.cost, joins_turns=spec.joins_turns,
        )
    return routes


def unlimited_routes(transports: dict[str, Transport]) -> dict[str, Route]:
    """Routes without limits, for in-memory transports (tests, the console simulator)."""
    routes = {channel: Route(channel, transport, TokenBucket(1e9, 1e9)) for channel, transport in transports.items()}
    for name, route in routes.items():
        if (spec := registry.spec(name)) is not None:
            route.cost, route.joins_turns = spec.cost, spec.joins_turns
    return routes
