"""A fake Twilio REST API on loopback, and signed webhook requests as Twilio sends them."""
from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

from tests.support.fake_http import FakeServer, Outage, Recorder

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-test-auth-token"
FROM = "+447700900000"
WHATSAPP_FROM = "whatsapp:+447700900001"
PUBLIC_BASE_URL = "https://cyswllt.example.cymru"


@dataclass
class SentSms:
    to: str
    body: str
    sid: str
    status_callback: str | None
    at: float
    from_: str | None = None
    content_sid: str | None = None            # a Content template (WhatsApp outside its window)
    content_variables: dict | None = None
    buttons: tuple = ()                       # quick replies, (title, id), of Content made here
    list_button: str | None = None            # a list picker's button, of Content made here
    items: tuple = ()                         # and its items, (item, id)


def _filler(variables: dict):
    def fill(text: str) -> str:
        for name, value in variables.items():
            text = text.replace("{{%s}}" % name, value)
        return text
    return fill


class FakeTwilio:
    """Records Messages.create calls; can answer 429/20429 or 500 for a while, or error per number."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent = Recorder()
        self.failures: list[int] = []
        self.number_errors: dict[str, int] = {}   # e.g. {"+447700900999": 21610}
        # WhatsApp addresses whose 24-hour window is closed: free-form refused (63016), templates taken.
        self.window_closed: set[str] = set()
        self.contents: dict[str, dict] = {}     # Content made through the Content API, by SID
        self.lock = threading.Lock()
        self.outage = Outage()
        self._ids = itertools.count(1)
        self.server = FakeServer(self.route)
        self.api_base = self.server.url

    def fail_next(self, count: int, status: int = 500) -> None:
        with self.lock:
            self.failures.extend([status] * count)

    def close(self) -> None:
        self.server.close()

    def route(self, method: str, path: str, form: dict, headers: dict):
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if path.split("?")[0] == "/v1/Content":
            return self.content(method, form)
        if method != "POST" or path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "Not found", "status": 404}
        if self.outage.refuses(form.get("To", "")):
            return 500, {"code": 20500, "message": "Internal Server Error", "status": 500}
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure == 429:
            return 429, {"code": 20429, "message": "Too Many Requests", "status": 429}
        if failure is not None:
            return failure, {"code": 20500, "message": "Internal Server Error", "status": failure}
        to = form.get("To", "")
        if to in self.number_errors:
            code = self.number_errors[to]
            return 400, {"code": code, "message": f"error {code}", "status": 400}
        content_sid = form.get("ContentSid")
        if not form.get("Body") and not content_sid:
            return 400, {"code": 21619, "message": "A text message body or media urls must be specified", "status": 400}
        if to.startswith("whatsapp:") and not (form.get("From") or "").startswith("whatsapp:"):
            return 400, {"code": 21910, "message": "Invalid From and To pair", "status": 400}
        if to in self.window_closed and not content_sid:
            return 400, {"code": 63016, "message": "Failed to send freeform message because you are outside "
                         "the allowed window. Please use a Template.", "status": 400}
        variables = json.loads(form["ContentVariables"]) if form.get("ContentVariables") else None
        body, buttons, button, items = form.get("Body", ""), (), None, ()
        made = self.contents.get(content_sid or "")
        if made is not None:   # Content made through the API: shown as the person would see it
            fill = _filler(variables or {})
            if "twilio/list-picker" in made["types"]:
                picker = made["types"]["twilio/list-picker"]
                body, button = fill(picker["body"]), fill(picker["button"])
                items = tuple((fill(i["item"]), fill(i["id"])) for i in picker["items"])
            else:
                quick = made["types"]["twilio/quick-reply"]
                body = fill(quick["body"])
                buttons = tuple((fill(a["title"]), fill(a["id"])) for a in quick["actions"])
        sid = f"SM{next(self._ids):032d}"
        self.sent.add(SentSms(to, body, sid, form.get("StatusCallback"), time.monotonic(),
                              form.get("From") or form.get("MessagingServiceSid"), content_sid, variables, buttons,
                              button, items))
        return 201, {"sid": sid, "status": "queued", "to": to, "from": form.get("From"),
                     "body": form.get("Body"), "account_sid": self.account_sid, "num_segments": "1"}

    def content(self, method: str, body: dict):
        """The Content API (content.twilio.com/v1/Content): list and create."""
        with self.lock:
            if method == "GET":
                return 200, {"contents": list(self.contents.values()), "meta": {"next_page_url": None}}
            sid = f"HX{next(self._ids):032d}"
            self.contents[sid] = {**body, "sid": sid}
            return 201, self.contents[sid]

    def to(self, number: str) -> list[SentSms]:
        return [m for m in self.sent.snapshot() if m.to == number]

    def wait_for_text(self, number: str, fragment: str, since: int = 0, timeout: float = 20.0) -> list[SentSms]:
        """Wait for an SMS to this number (after the first `since`) containing `fragment`."""
        def arrived(items):
            mine = [m for m in items if m.to == number][since:]
            return any(fragment.casefold() in m.body.casefold() for m in mine)
        self.sent.wait_for(arrived, timeout)
        return self.to(number)[since:]

    def wait_for(self, number: str, count: int, timeout: float = 20.0) -> list[SentSms]:
        self.sent.wait_for(lambda items: sum(1 for m in items if m.to == number) >= count, timeout)
        return self.to(number)


class TwilioWebhooks:
    """Signs form posts as Twilio does, for the URL Twilio would call (the public one)."""

    def __init__(self, auth_token: str = AUTH_TOKEN, public_base_url: str = PUBLIC_BASE_URL):
        self.validator = RequestValidator(auth_token)
        self.public_base_url = public_base_url
        self._ids = itertools.count(1)

    def sign(self, path: str, form: dict, base_url: str | None = None) -> dict:
        url = (base_url or self.public_base_url) + path
        return {"X-Twilio-Signature": self.validator.compute_signature(url, form)}

    def sms(self, sender: str, body: str, sid: str | None = None, **extra) -> dict:
        sid = sid or f"SMin{next(self._ids):030d}"
        return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": FROM,
                "Body": body, "NumMedia": "0", **extra}

    def whatsapp(self, sender: str, body: str, sid: str | None = None, media: int = 0, **extra) -> dict:
        """A WhatsApp message as Twilio posts it (From "whatsapp:+44..."), with `media` attachments."""
        sid = sid or f"SMwa{next(self._ids):030d}"
        form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": WHATSAPP_FROM,
                "Body": body, "NumMedia": str(media), "ProfileName": "Tester", "WaId": sender.split("+")[-1]}
        for n in range(media):
            form[f"MediaUrl{n}"] = f"https://api.twilio.com/media/ME{n:032d}"
            form[f"MediaContentType{n}"] = "image/jpeg"
        return {**form, **extra}

    def status(self, sid: str, status: str, to: str, error_code: str | None = None) -> dict:
        form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                "AccountSid": ACCOUNT_SID, "To": to, "From": WHATSAPP_FROM if to.startswith("whatsapp:") else FROM}
        if error_code:
            form["ErrorCode"] = error_code
        return form
