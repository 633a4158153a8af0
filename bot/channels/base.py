"""What the sender hands a channel, and what the channel says happened."""
from __future__ import annotations

from datetime import datetime
from dataclasses import dataclass, field


class Unavailable(Exception):
    """The inbox could not commit a message: the provider must be told to try again (503)."""


@dataclass(frozen=True)
class Outgoing:
    """An outbox row as the sender read it: a plain value, safe to pass between threads."""

    id: int
    channel: str
    address: str
    body: str
    options: tuple[dict, ...] = ()
    attempts: int = 1
    segments: int = 1
    ids: tuple[int, ...] = field(default=())   # several rows of one SMS turn sent as one message
    created_at: datetime | None = None          # when the (first) row was written
    language: str | None = None                 # what it was rendered in

    @property
    def row_ids(self) -> tuple[int, ...]:
        return self.ids or (self.id,)


@dataclass(frozen=True)
class Outcome:
    """sent | retry (transient) | rate_limited (provider said slow down) | permanent."""

    kind: str
    provider_id: str | None = None
    provider_status: str | None = None
    error: str | None = None
    retry_after: float | None = None
    unreachable: bool = False   # the person cannot be reached at this address any more

    @classmethod
    def sent(cls, provider_id: str | None, status: str | None = None) -> "Outcome":
        return cls("sent", provider_id=provider_id, provider_status=status)

    @classmethod
    def retry(cls, error: str) -> "Outcome":
        return cls("retry", error=error)

    @classmethod
    def rate_limited(cls, error: str, retry_after: float | None = None) -> "Outcome":
        return cls("rate_limited", error=error, retry_after=retry_after)

    @classmethod
    def permanent(cls, error: str, unreachable: bool = False) -> "Outcome":
        return cls("permanent", error=error, unreachable=unreachable)
