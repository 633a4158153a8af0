"""What the sender hands a channel, and what the channel says happened."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from dataclasses import dataclass, field
from typing import Any


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
    # Outside a customer-service window: the approved template it goes as (bot/send_policy.py).
    template: dict | None = None

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


# ---------------------------------------------------------------- poison at the edge
# What a provider (or someone posing as one) sends is made safe here, before the inbox: a
# message that cannot be stored would be answered 503 and delivered again for ever.

# A Telegram update is about ten levels deep; anything far deeper is not one.
MAX_NESTING = 32
_SURROGATES = re.compile("[\ud800-\udfff]")


def nested_too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether decoded JSON nests deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def without_surrogates(text: str | None) -> str | None:
    """Half a surrogate pair (valid JSON, not valid Unicode) becomes U+FFFD: it cannot be stored."""
    return None if text is None else _SURROGATES.sub("\ufffd", text)


def plain_choice(data: str | None) -> str | None:
    """Button data as our buttons send it: NFKC, so "¹" is "1"; any other non-ASCII digit is U+FFFD.

    Our option values are ASCII; handlers read numbers with isdigit() and int(), and "¹" passes
    the first and fails the second.
    """
    if data is None:
        return None
    data = unicodedata.normalize("NFKC", without_surrogates(data))
    return "".join("\ufffd" if ch.isdigit() and not ch.isascii() else ch for ch in data)
