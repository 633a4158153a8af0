"""SMS through Twilio: signed webhooks in, the Messages API out, delivery statuses back."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from typing import Mapping
from urllib.parse import urlencode, urlparse

import aiohttp
from twilio import __version__ as TWILIO_VERSION
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import (HMAC_SHA1, HMAC_SHA256, RequestValidator, add_port, get_signature_algorithm,
                                      remove_port)

from bot.channels.base import Outcome, Outgoing
from bot.keywords import Keyword, match as match_keyword
from bot.messages import InboundMessage
from bot.rendering import render_sms

log = logging.getLogger(__name__)

CHANNEL = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
TWILIO_API = "https://api.twilio.com"
SIGNATURE_DIGESTS = {HMAC_SHA1: hashlib.sha1, HMAC_SHA256: hashlib.sha256}
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

    The same check as twilio's RequestValidator.validate (the URL with and without its default
    port, the parameters sorted by name), made with less work: the URLs are worked out once a
    path, the parameters joined once, and the second digest only when the first does not match.
    """

    def __init__(self, auth_token: str, public_base_url: str):
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.base_url = public_base_url.rstrip("/")
        self._key = auth_token.encode("utf-8")
        self._urls: dict[tuple[str, str], tuple[str, ...]] = {}

    def public_url(self, path: str, query: str = "") -> str:
        return self.base_url + path + (f"?{query}" if query else "")

    def _signed_urls(self, path: str, query: str) -> tuple[str, ...]:
        """The URL Twilio may have signed, without and with its port (it signs either way)."""
        urls = self._urls.get((path, query))
        if urls is None:
            parsed = urlparse(self.public_url(path, query))
            urls = tuple(dict.fromkeys((remove_port(parsed), add_port(parsed))))
            if len(self._urls) < 64:   # the paths are ours; a caller's query strings are not
                self._urls[(path, query)] = urls
        return urls

    def valid(self, path: str, query: str, form: Mapping[str, str], headers: Mapping[str, str]) -> bool:
        signature = headers.get(SIGNATURE_HEADER)
        if self.validator is None or not self.base_url or not signature:
            return False
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER)).upper()
        digest = SIGNATURE_DIGESTS.get(algorithm)
        if digest is None:
            # Refused, with twilio's warning that names the algorithm.
            return self.validator.validate(self.public_url(path, query), dict(form), signature, algorithm)
        # A form parsed into a dict has one value a name, as twilio's validator sees a dict.
        parameters = "".join(name + form[name] for name in sorted(form))
        given = signature.encode()
        for url in self._signed_urls(path, query):
            mac = hmac.new(self._key, (url + parameters).encode("utf-8"), digest)
            if hmac.compare_digest(base64.b64encode(mac.digest()), given):
                return True
        return False


def inbound(form: Mapping[str, str]) -> InboundMessage | None:
    """A Twilio SMS webhook's form as an InboundMessage (None if it is not one)."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From")
    if not sid or not sender:
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
    return InboundMessage(CHANNEL, sender.strip(), text, sid[:64])


def rest_error(status: int, url: str, payload: bytes) -> TwilioRestException:
    """A Twilio API error answer as the exception Twilio's own client raises for it."""
    message = "Unable to create record"
    try:
        error = json.loads(payload)
        if "message" in error:
            message = f"{message}: {error['message']}"
        code = error.get("code", status)
    except (ValueError, AttributeError):
        code = status
    return TwilioRestException(status, url, message, code, "POST")


class TwilioChannel:
    """Sends outbox rows as SMS with the Twilio Messages API.

    The request is the one Twilio's Python client makes for `messages.create` (a form POST to
    Messages.json with basic auth), made with one pooled aiohttp session: the client's layers
    around it cost as much CPU per message as the request itself.
    """

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
        self.checker = SignatureChecker(twilio.auth_token, settings.public.base_url)
        self.sender_key = twilio.from_ or twilio.messaging_service_sid
        base = settings.public.base_url.rstrip("/")
        self.status_callback = f"{base}/twilio/status" if base else None
        api_base = (twilio.api_base or TWILIO_API).rstrip("/")
        self.messages_url = f"{api_base}/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
        credentials = base64.b64encode(f"{twilio.account_sid}:{twilio.auth_token}".encode()).decode()
        self._headers = {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
            "Accept-Charset": "utf-8", "User-Agent": f"cyswllt twilio-python/{TWILIO_VERSION}",
        }
        # What every message carries besides its recipient and text.
        self._common: dict[str, str] = {}
        if twilio.messaging_service_sid:
            self._common["MessagingServiceSid"] = twilio.messaging_service_sid
        else:
            self._common["From"] = twilio.from_
        if self.status_callback:
            self._common["StatusCallback"] = self.status_callback
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        # aiohttp wants its session made inside the running event loop.
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.sender.http_timeout_s)
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64), timeout=timeout,
                                                  headers=self._headers)

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @staticmethod
    def render(message: Outgoing) -> str:
        return render_sms(message.body, message.options)

    async def send(self, message: Outgoing) -> Outcome:
        if self._session is None:
            raise RuntimeError("TwilioChannel.start() was not called")
        form = {"To": message.address, "Body": self.render(message), **self._common}
        try:
            async with self._session.post(self.messages_url, data=urlencode(form).encode()) as response:
                status, payload = response.status, await response.read()
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:
            return Outcome.retry(f"twilio: {type(exc).__name__}: {exc}")
        if not 200 <= status < 300:
            return classify(rest_error(status, self.messages_url, payload))
        try:
            created = json.loads(payload)
            sid, sent_status = created["sid"], str(created.get("status") or "queued").lower()
        except (ValueError, KeyError, TypeError) as exc:
            # Twilio took the message (2xx) but its answer is unreadable: sending again would repeat it.
            log.warning("twilio accepted a message with an unreadable answer: %s", type(exc).__name__)
            return Outcome.sent(None, "queued")
        return Outcome.sent(sid, sent_status)


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
