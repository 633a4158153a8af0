"""SMS through Twilio: signed webhooks in, the Messages API out, delivery statuses back."""
from __future__ import annotations

import asyncio
import base64
import logging
from typing import Mapping

from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.rest import Client

from bot.channels.base import Outcome, Outgoing
from bot.keywords import Keyword, match as match_keyword
from bot.messages import InboundMessage
from bot.rendering import render_sms

log = logging.getLogger(__name__)

CHANNEL = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
TWILIO_API = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

# Twilio error codes after which retrying the same number cannot help.
UNSUBSCRIBED = 21610            # the recipient replied STOP to this sending number
INVALID_NUMBERS = {21211, 21614, 21612, 21408}   # invalid, not a mobile, unreachable route
RATE_LIMITED = {20429, 14107}
# Status callback error codes that mean the number will not take our messages.
UNDELIVERABLE = {UNSUBSCRIBED, 30003, 30005, 30006}

# How far along a message is; a callback never moves a message backwards.
STATUS_RANK = {
    "accepted": 1, "scheduled": 1, "queued": 2, "sending": 3, "sent": 4,
    "failed": 5, "undelivered": 5, "canceled": 5, "delivered": 6, "read": 7,
}


def status_rank(status: str | None) -> int:
    return STATUS_RANK.get((status or "").lower(), 0)


def lower_statuses(status: str) -> list[str]:
    """Statuses a callback with `status` may replace."""
    rank = status_rank(status)
    return [name for name, r in STATUS_RANK.items() if r < rank]


class SignatureChecker:
    """Checks X-Twilio-Signature against the public URL Twilio called, not the one we see.

    Behind a TLS-terminating proxy the app sees http://internal:8000/twilio/sms while Twilio
    signed https://public.example/twilio/sms; validating the seen URL rejects every request.
    """

    def __init__(self, auth_token: str, public_base_url: str):
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.base_url = public_base_url.rstrip("/")

    def public_url(self, path: str, query: str = "") -> str:
        return self.base_url + path + (f"?{query}" if query else "")

    def valid(self, path: str, query: str, form: Mapping[str, str], headers: Mapping[str, str]) -> bool:
        signature = headers.get(SIGNATURE_HEADER)
        if self.validator is None or not self.base_url or not signature:
            return False
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER))
        return self.validator.validate(self.public_url(path, query), dict(form), signature, algorithm)


ADDRESS_MAX = 64   # inbound_message.address, person_address.address


def inbound(form: Mapping[str, str]) -> InboundMessage | None:
    """A Twilio SMS webhook's form as an InboundMessage (None if it is not one)."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = (form.get("From") or "").strip()
    # An address longer than the inbox stores is not a phone number (E.164 is at most 16).
    if not sid or not sender or len(sender) > ADDRESS_MAX:
        return None
    text = form.get("Body", "")
    # On a long code Twilio acts on its opt-out words itself (it stops our messages reaching
    # the number) and still forwards the message; whatever words the account is configured
    # with, we record what Twilio did. Our own Welsh words (STOPIO, DECHRAU) are keywords.
    opt_out_type = (form.get("OptOutType") or "").upper()
    keyword = match_keyword(text)
    if opt_out_type == "STOP" and keyword is not Keyword.STOP:
        text = "STOP"
    elif opt_out_type == "START" and keyword is not Keyword.START:
        text = "START"
    elif opt_out_type == "HELP" and keyword is not Keyword.HELP:
        # Twilio's Advanced Opt-Out recognised a help word (its list, in any case): answer as HELP.
        text = "HELP"
    return InboundMessage(CHANNEL, sender, text, sid[:64])


class _RebasedHttpClient(AsyncTwilioHttpClient):
    """Twilio's own async HTTP client, pointed at another API base (the tests' fake)."""

    def __init__(self, api_base: str, **kwargs):
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")

    async def request(self, method, url, *args, **kwargs):
        if self.api_base != TWILIO_API and url.startswith(TWILIO_API):
            url = self.api_base + url[len(TWILIO_API):]
        auth = kwargs.pop("auth", None)
        if auth:
            # As a header: aiohttp deprecates its BasicAuth argument.
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "Authorization": f"Basic {token}"}
        return await super().request(method, url, *args, **kwargs)


class TwilioChannel:
    """Sends outbox rows as SMS with the Twilio Messages API."""

    def __init__(self, settings):
        twilio = settings.twilio
        missing = [name for name, value in (
            ("CYSWLLT_TWILIO_ACCOUNT_SID", twilio.account_sid),
            ("CYSWLLT_TWILIO_AUTH_TOKEN", twilio.auth_token),
            ("CYSWLLT_TWILIO_FROM or CYSWLLT_TWILIO_MESSAGING_SERVICE_SID",
             twilio.from_ or twilio.messaging_service_sid),
        ) if not value]
        if missing:
            raise ValueError(f"the SMS channel needs {', '.join(missing)}")
        self.settings = settings
        self.checker = SignatureChecker(twilio.auth_token.get_secret_value(), settings.public.base_url)
        self.sender_key = twilio.from_ or twilio.messaging_service_sid
        base = settings.public.base_url.rstrip("/")
        self.status_callback = f"{base}/twilio/status" if base else None
        self.client: Client | None = None

    async def start(self) -> None:
        # aiohttp wants its session made inside the running event loop.
        http = _RebasedHttpClient(self.settings.twilio.api_base, timeout=self.settings.sender.http_timeout_s)
        self.client = Client(self.settings.twilio.account_sid, self.settings.twilio.auth_token.get_secret_value(),
                             http_client=http)

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.http_client.close()
            self.client = None

    @staticmethod
    def render(message: Outgoing) -> str:
        return render_sms(message.body, message.options)

    async def send(self, message: Outgoing) -> Outcome:
        twilio = self.settings.twilio
        kwargs = {"to": message.address, "body": self.render(message)}
        if twilio.messaging_service_sid:
            kwargs["messaging_service_sid"] = twilio.messaging_service_sid
        else:
            kwargs["from_"] = twilio.from_
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            sent = await self.client.messages.create_async(**kwargs)
        except TwilioRestException as exc:
            return classify(exc)
        except (asyncio.TimeoutError, OSError) as exc:
            return Outcome.retry(f"twilio: {type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - aiohttp's client errors and the like
            return Outcome.retry(f"twilio: {type(exc).__name__}: {exc}")
        return Outcome.sent(sent.sid, (sent.status or "queued").lower() if isinstance(sent.status, str)
                            else str(sent.status.value if sent.status else "queued"))


def classify(exc: TwilioRestException) -> Outcome:
    """What a Twilio API error means for the row and the person."""
    code = exc.code or 0
    text = f"twilio {exc.status} {code}: {exc.msg}"
    if exc.status == 429 or code in RATE_LIMITED:
        return Outcome.rate_limited(text)
    if code == UNSUBSCRIBED or code in INVALID_NUMBERS:
        return Outcome.permanent(text, unreachable=True)
    if exc.status >= 500:
        return Outcome.retry(text)
    return Outcome.permanent(text)
