"""What a channel provides, and what the web app gives it (issue 18).

A channel lives in `bot/channels/<name>/`. Its package's `__init__` holds a `ChannelSpec`
(cheap to import: no provider library), which says whether the settings configure it, checks
them, states its limits and how its messages look as text, and builds the running `Channel`
(which brings in the provider's library). The registry (bot/channels/registry.py) names them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol, Sequence

from bot.channels.base import Outcome, Outgoing
from bot.rendering import render_sms

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from bot.config_check import Finding
    from bot.dispatcher import Handled
    from bot.messages import InboundMessage

MAX_BODY = 1_000_000   # no provider sends more; anything bigger is not from one


class TooLarge(Exception):
    """A request body over MAX_BODY: 413."""


async def read_body(request: "Request") -> bytes:
    """The request's body; raises TooLarge past MAX_BODY (checked before reading when announced)."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise TooLarge()
    body = await request.body()
    if len(body) > MAX_BODY:
        raise TooLarge()
    return body


class Inbox(Protocol):
    """What the web app offers a channel's routes."""

    async def handle(self, message: "InboundMessage") -> "Handled":
        """Commit one inbound message; raises Unavailable if it could not be (answer 503)."""

    async def store_status(self, channel: str, provider_id: str, status: str, error_code: str | None,
                           address: str | None) -> None:
        """Store a delivery status; raises Unavailable if it could not be (answer 503)."""


class Channel(Protocol):
    """A running channel: its routes, its sending, its lifecycle."""

    name: str

    def routes(self) -> Sequence["BaseRoute"]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: Outgoing) -> Outcome: ...

    def background(self, stop: Any) -> list[Awaitable[None]]:
        """Coroutines to run while serving (Telegram's polling); none by default."""


@dataclass(frozen=True)
class Limits:
    """A provider's sending limits, as the sender's token buckets take them."""

    per_second: float
    per_recipient_per_second: float | None = None
    per_recipient_burst: int = 1


class ChannelSpec:
    """A channel as the rest of the service knows it, without its provider library."""

    name: str = ""
    label: str = ""   # as people read it ("SMS", "WhatsApp"): in alerts and referrals to practitioners
    # The provider's customer-service window: outside it, only pre-approved templates may be
    # sent (WhatsApp's 24 hours). None: any message at any time. Read by bot/send_policy.py.
    window: timedelta | None = None
    # A turn's replies to one address join into one message while that costs no more (SMS).
    joins_turns: bool = False
    # The provider's own opt-out words (Twilio's STOP, CANCEL, END...) count as ours too.
    provider_opt_out_words: bool = False

    def configured(self, settings) -> bool:
        raise NotImplementedError

    def check(self, settings, *, production: bool, polling: bool) -> list["Finding"]:
        """Problems in this channel's settings, each naming the variable to change."""
        return []

    def limits(self, settings) -> Limits:
        raise NotImplementedError

    def cost(self, body: str, options: Sequence[dict]) -> int:
        """What one message costs against the overall limit (SMS: its segments)."""
        return 1

    def render(self, body: str, options: Sequence[dict]) -> str:
        """The message as text: how it looks without buttons (and in the console simulator)."""
        return render_sms(body, options)

    def build(self, settings, inbox: Inbox, *, polling: bool = False) -> Channel:
        raise NotImplementedError

    def warnings(self, settings, *, polling: bool) -> list[str]:
        """Said in the log at start: settings that make every webhook fail."""
        return []

    # One person, several addresses: an address that is a phone number (SMS "+44...", WhatsApp
    # "whatsapp:+44...") belongs to the person who has that number on another channel.
    def phone_number(self, address: str) -> str | None:
        """The E.164 number this address is, if it is one."""
        return None

    def address_for(self, phone_number: str) -> str | None:
        """This channel's address for a phone number, if it has phone-number addresses."""
        return None


Handle = Callable[["InboundMessage"], Awaitable["Handled"]]
