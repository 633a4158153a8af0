"""What the Twilio channels (SMS, WhatsApp) share: signed webhooks in, the Messages API out,
delivery statuses back. Not a channel itself: bot/channels/sms and bot/channels/whatsapp are.
"""
from __future__ import annotations

import contextlib
import hmac
import json
import logging
from typing import Mapping
from urllib.parse import parse_qsl, urlencode

import aiohttp
from starlette.requests import Request
from starlette.routing import Route
from starlette.responses import PlainTextResponse, Response
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.rest import Client

from bot.channels.base import Outcome, Unavailable
from bot.channels.plugin import Inbox, TooLarge, read_body
from bot.keywords import Keyword, match as match_keyword
from bot.metrics import INBOUND, STATUS_CALLBACKS

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
TWILIO_API = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
ADDRESS_MAX = 64   # inbound_message.address, person_address.address

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


class Form(dict):
    """A posted form: each field's value (the last, if repeated), and every value of a field for
    the signature, which RequestValidator reads through `getall` (as from Flask's MultiDict)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        super().__init__(pairs)
        self.every: dict[str, list[str]] = {}
        for name, value in pairs:
            self.every.setdefault(name, []).append(value)

    def getall(self, name: str) -> list[str]:
        return self.every[name]


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
        url = self.public_url(path, query)
        # The URL as configured first: one signature, where validate() computes two (the URL
        # with and without its default port) for every request. It settles the rest: the port
        # variants, and an algorithm the library does not know (compute_signature raises).
        with contextlib.suppress(ValueError):
            if hmac.compare_digest(self.validator.compute_signature(url, form, algorithm).encode(), signature.encode()):
                return True
        return self.validator.validate(url, form, signature, algorithm)


def with_opt_out(form: Mapping[str, str], text: str) -> str:
    """The text, as the opt-out Twilio acted on, if it did.

    With Advanced Opt-Out Twilio acts on its opt-out words itself (it stops our messages
    reaching the number) and still forwards the message; whatever words the account is
    configured with, we record what Twilio did. Our own Welsh words (STOPIO, DECHRAU) are keywords.
    """
    opt_out_type = (form.get("OptOutType") or "").upper()
    if opt_out_type not in ("STOP", "START", "HELP"):
        return text   # most messages: no keyword matching here (the dispatcher matches its own)
    keyword = match_keyword(text)
    if opt_out_type == "STOP" and keyword is not Keyword.STOP:
        return "STOP"
    if opt_out_type == "START" and keyword is not Keyword.START:
        return "START"
    if opt_out_type == "HELP" and keyword is not Keyword.HELP:
        # Twilio's Advanced Opt-Out recognised a help word (its list, in any case): answer as HELP.
        return "HELP"
    return text


class TwilioHttp(AsyncHttpClient):
    """The Twilio client's HTTP: one keep-alive aiohttp session, every Twilio host sent to
    `api_base` (the tests' fake).

    The client's own extension point (an AsyncHttpClient's `request`), in place of its
    AsyncTwilioHttpClient, which formats a log line for each header of every request and response
    whether or not logging is on, keeps a test-only copy of both, and ignores its timeout.
    """

    def __init__(self, api_base: str, timeout: float):
        super().__init__(log, is_async=True, timeout=timeout)
        self.api_base = api_base.rstrip("/")
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout),
                                             cookie_jar=aiohttp.DummyCookieJar())
        self._authorization: dict[tuple[str, str], str] = {}

    async def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                      allow_redirects=False) -> TwilioResponse:
        if self.api_base != TWILIO_API and url.startswith("https://") and ".twilio.com/" in url:
            # Every Twilio API host (api., content.) goes to the one base.
            url = self.api_base + "/" + url.split(".twilio.com/", 1)[1]
        if auth:
            # As a header, encoded once: aiohttp deprecates its auth argument.
            authorization = self._authorization.get(auth)
            if authorization is None:
                authorization = self._authorization[auth] = aiohttp.BasicAuth(*auth).encode()
            headers = {**(headers or {}), "Authorization": authorization}
        this_once = {"timeout": aiohttp.ClientTimeout(total=timeout)} if timeout else {}
        async with self.session.request(method, url, params=params, data=data, headers=headers,
                                        allow_redirects=allow_redirects, **this_once) as response:
            return TwilioResponse(response.status, await response.text(), response.headers)

    async def close(self) -> None:
        await self.session.close()


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


def credential_findings(settings, channel: str) -> list:
    """The account settings every Twilio channel needs."""
    from bot.config_check import error

    twilio, found = settings.twilio, []
    if not twilio.account_sid:
        found.append(error("CYSWLLT_TWILIO_ACCOUNT_SID", "needed with CYSWLLT_TWILIO_AUTH_TOKEN"))
    if not twilio.auth_token:
        found.append(error("CYSWLLT_TWILIO_AUTH_TOKEN", "needed with CYSWLLT_TWILIO_ACCOUNT_SID "
                           "(environment only)"))
    if not settings.public.base_url:
        found.append(error("CYSWLLT_PUBLIC_BASE_URL", "needed with Twilio: every webhook's signature is "
                           f"checked against the public URL, so without it every {channel} would be refused"))
    return found


def base_url_warnings(settings) -> list[str]:
    if not settings.public.base_url:
        return ["CYSWLLT_PUBLIC_BASE_URL is not set: every Twilio webhook will be refused (403), "
                "because its signature is checked against that URL"]
    return []


def sid_and_sender(form: Mapping[str, str]) -> tuple[str, str]:
    """The message's id and who sent it, as every Twilio webhook (SMS or WhatsApp) gives them."""
    return form.get("MessageSid") or form.get("SmsSid") or "", (form.get("From") or "").strip()


class TwilioMessaging:
    """A channel through Twilio's Messages API: its signed webhook, its status callback, its sending.

    A subclass names its channel and paths, reads an inbound form (`inbound`) and says what
    it sends (`message_fields`).
    """

    name = ""
    webhook_path = ""
    status_path = ""

    @staticmethod
    def require(settings, channel: str, sender: tuple[str, str]) -> None:
        """Refuse to start without the account, its token and this channel's (setting, sender)."""
        twilio = settings.twilio
        missing = [name for name, value in (
            ("CYSWLLT_TWILIO_ACCOUNT_SID", twilio.account_sid),
            ("CYSWLLT_TWILIO_AUTH_TOKEN", twilio.auth_token),
            sender,
        ) if not value]
        if missing:
            raise ValueError(f"the {channel} channel needs {', '.join(missing)}")

    def routes(self) -> list[Route]:
        return [Route(self.webhook_path, self.webhook, methods=["POST"]),
                Route(self.status_path, self.status, methods=["POST"])]

    def __init__(self, settings, inbox: Inbox | None = None):
        self.settings = settings
        self.inbox = inbox
        self.checker = SignatureChecker(settings.twilio.auth_token.get_secret_value(), settings.public.base_url)
        base = settings.public.base_url.rstrip("/")
        self.status_callback = f"{base}{self.status_path}" if base else None
        # Sent with every message: encoded once (quoting a URL is most of what encoding one costs).
        self.status_callback_field = f"&{urlencode({'StatusCallback': self.status_callback})}" if base else ""
        self.client: Client | None = None
        self.messages_url = f"{TWILIO_API}/2010-04-01/Accounts/{settings.twilio.account_sid}/Messages.json"

    async def start(self) -> None:
        # aiohttp wants its session made inside the running event loop.
        http = TwilioHttp(self.settings.twilio.api_base, timeout=self.settings.sender.http_timeout_s)
        self.client = Client(self.settings.twilio.account_sid, self.settings.twilio.auth_token.get_secret_value(),
                             http_client=http)

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.http_client.close()
            self.client = None

    def background(self, stop) -> list:
        return []

    # ------------------------------------------------------------ inbound

    async def form(self, request: Request) -> dict[str, str] | None:
        """The posted form, if its signature holds; None if unreadable or unsigned; TooLarge past the limit."""
        # Twilio posts application/x-www-form-urlencoded; parsed here rather than with
        # Starlette's request.form(), which would need python-multipart for nothing else.
        body = await read_body(request)
        try:
            form = Form(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return None
        if not self.checker.valid(request.url.path, request.url.query, form, request.headers):
            return None
        return form

    def inbound(self, form: Mapping[str, str]):
        raise NotImplementedError

    async def signed_form(self, request: Request, rejected) -> tuple[dict[str, str] | None, Response | None]:
        """The webhook's verified form, or the response refusing it (counted on `rejected`)."""
        try:
            form = await self.form(request)
        except TooLarge:
            rejected.labels(self.name, "rejected").inc()
            return None, PlainTextResponse("too large", status_code=413)
        if form is None:
            rejected.labels(self.name, "rejected").inc()
            return None, PlainTextResponse("forbidden", status_code=403)
        return form, None

    async def webhook(self, request: Request) -> Response:
        form, refusal = await self.signed_form(request, INBOUND)
        if refusal is not None:
            return refusal
        message = self.inbound(form)
        if message is None:
            return PlainTextResponse(f"not a {self.name} webhook", status_code=400)
        try:
            await self.inbox.handle(message)
        except Unavailable:
            return PlainTextResponse("try again", status_code=503)
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def status(self, request: Request) -> Response:
        form, refusal = await self.signed_form(request, STATUS_CALLBACKS)
        if refusal is not None:
            return refusal
        sid, _ = sid_and_sender(form)
        status = form.get("MessageStatus") or form.get("SmsStatus")
        if not sid or not status:
            STATUS_CALLBACKS.labels(self.name, "invalid").inc()
            return PlainTextResponse("not a status callback", status_code=400)
        try:
            await self.inbox.store_status(self.name, sid[:64], status, form.get("ErrorCode"), form.get("To"))
        except Unavailable as exc:
            log.warning("status callback %s not stored: %s", sid, exc)
            STATUS_CALLBACKS.labels(self.name, "unavailable").inc()
            return PlainTextResponse("try again", status_code=503)
        STATUS_CALLBACKS.labels(self.name, "stored").inc()
        return Response(status_code=204)

    # ------------------------------------------------------------ outbound

    async def create(self, fields: dict) -> Outcome:
        """One Messages create with these parameters (To, Body or ContentSid...), its outcome classified.

        Through the client's `request_async`: the Messages resource would build a MessageInstance
        (every field parsed) for the two we keep.
        """
        try:
            # Encoded here: given a dict, aiohttp builds a FormData only to urlencode it.
            response = await self.client.request_async("POST", self.messages_url,
                                                        data=urlencode(fields) + self.status_callback_field)
        except Exception as exc:  # noqa: BLE001 - timeouts, OSError, aiohttp's client errors and the like
            return Outcome.retry(f"twilio: {type(exc).__name__}: {exc}")
        try:
            payload = json.loads(response.text or "{}")
        except ValueError:
            payload = {}
        if not 200 <= response.status_code < 300:
            return self.classify(TwilioRestException(response.status_code, self.messages_url,
                                                     payload.get("message") or response.text, payload.get("code")))
        return Outcome.sent(payload.get("sid"), (payload.get("status") or "queued").lower())

    def classify(self, exc: TwilioRestException) -> Outcome:
        return classify(exc)
