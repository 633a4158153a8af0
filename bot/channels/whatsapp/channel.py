"""WhatsApp through Twilio: the SMS channel's webhook and API, with WhatsApp's rules.

Addresses are "whatsapp:+44...". Inside the 24-hour customer-service window a row goes as text;
up to three short options go as quick-reply buttons (in session WhatsApp needs no approval for
them, but Twilio sends buttons only as Content: one per number of buttons, made once and found
again by name), more or longer ones as numbered lines. A row queued outside the window carries
its approved template (bot/send_policy.py) and goes as ContentSid and ContentVariables. A tap on
a button comes back as ButtonPayload: the option's value, as a Telegram button's does.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Mapping

from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException

from bot.channels.base import Outcome, Outgoing, plain_choice
from bot.channels.twilio_api import ADDRESS_MAX, TwilioMessaging, classify, with_opt_out
from bot.messages import InboundMessage
from bot.rendering import render_numbered

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
MAX_TEXT = 1600   # Twilio's limit for a WhatsApp message body
# WhatsApp's errors (Twilio 63xxx): the number is not on WhatsApp / cannot be found.
NOT_ON_WHATSAPP = {63003, 63024}
# Free-form outside the window, or a template WhatsApp did not approve: not the person's fault.
OUTSIDE_WINDOW = 63016
# Quick replies in session: at most 3 buttons of at most 20 characters; a body of at most 1,024.
QUICK_REPLIES = 3
BUTTON_TITLE = 20
BUTTON_BODY = 1024
CONTENT_API = "https://content.twilio.com/v1/Content"


def quick_reply_fits(body: str, options) -> bool:
    """Whether these options can be buttons: few and short enough, not a practitioner's commands."""
    return (0 < len(options) <= QUICK_REPLIES and len(body) <= BUTTON_BODY
            and all(len(str(o["label"])) <= BUTTON_TITLE and not o.get("command") for o in options))


def quick_reply_content(buttons: int) -> dict:
    """Content for a message with `buttons` quick replies, everything a variable: {{1}} the text,
    then each button's title and id (the option's value)."""
    actions = [{"title": "{{%d}}" % (2 * n), "id": "{{%d}}" % (2 * n + 1)} for n in range(1, buttons + 1)]
    return {"friendly_name": f"cyswllt-quick-reply-{buttons}", "language": "en",
            "variables": {str(n): "x" for n in range(1, 2 * buttons + 2)},
            "types": {"twilio/quick-reply": {"body": "{{1}}", "actions": actions}, "twilio/text": {"body": "{{1}}"}}}


def inbound(form: Mapping[str, str]) -> InboundMessage | None:
    """A Twilio WhatsApp webhook's form as an InboundMessage (None if it is not one)."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = (form.get("From") or "").strip()
    if not sid or not sender.startswith(PREFIX + "+") or len(sender) > ADDRESS_MAX:
        return None
    # A quick-reply button (a template's) or a list item: the option's value.
    choice = form.get("ButtonPayload") or form.get("ListId") or None
    if choice:
        return InboundMessage(CHANNEL, sender, None, sid[:64], choice=plain_choice(choice[:64]))
    text = form.get("Body", "")
    media = (form.get("NumMedia") or "0").strip() not in ("", "0")
    return InboundMessage(CHANNEL, sender, with_opt_out(form, text), sid[:64], media=media and not text.strip())


class WhatsAppChannel(TwilioMessaging):
    """Sends outbox rows to WhatsApp with the Twilio Messages API, from CYSWLLT_TWILIO_WHATSAPP_FROM."""

    name = CHANNEL
    webhook_path = "/twilio/whatsapp"
    status_path = "/twilio/whatsapp/status"

    def __init__(self, settings, inbox=None):
        twilio = settings.twilio
        missing = [name for name, value in (
            ("CYSWLLT_TWILIO_ACCOUNT_SID", twilio.account_sid),
            ("CYSWLLT_TWILIO_AUTH_TOKEN", twilio.auth_token),
            ("CYSWLLT_TWILIO_WHATSAPP_FROM", twilio.whatsapp_from),
        ) if not value]
        if missing:
            raise ValueError(f"the WhatsApp channel needs {', '.join(missing)}")
        super().__init__(settings, inbox)
        sender = twilio.whatsapp_from
        self.from_ = sender if sender.startswith(PREFIX) else PREFIX + sender
        self._buttons: dict[int, str] = {}     # number of buttons -> its Content SID
        self._making = asyncio.Lock()

    def routes(self) -> list[Route]:
        return [Route(self.webhook_path, self.webhook, methods=["POST"]),
                Route(self.status_path, self.status, methods=["POST"])]

    def inbound(self, form: Mapping[str, str]) -> InboundMessage | None:
        return inbound(form)

    @staticmethod
    def render(message: Outgoing) -> str:
        return render_numbered(message.body, message.options)[:MAX_TEXT]

    def fields(self, message: Outgoing, buttons_sid: str | None = None) -> dict:
        """What Messages.create is given for this row: a template, the text with buttons, or the text."""
        fields = {"to": message.address, "from_": self.from_}
        if message.template:
            fields["content_sid"] = message.template["content_sid"]
            if message.template.get("variables"):
                fields["content_variables"] = json.dumps(message.template["variables"], ensure_ascii=False)
        elif buttons_sid:
            variables = {"1": message.body}
            for n, option in enumerate(message.options, start=1):
                variables[str(2 * n)], variables[str(2 * n + 1)] = str(option["label"]), str(option["value"])
            fields["content_sid"] = buttons_sid
            fields["content_variables"] = json.dumps(variables, ensure_ascii=False)
        else:
            fields["body"] = self.render(message)
        return fields

    async def send(self, message: Outgoing) -> Outcome:
        buttons = None
        if not message.template and quick_reply_fits(message.body, message.options):
            buttons = await self._buttons_content(len(message.options))
        return await self.create(self.fields(message, buttons))

    async def _buttons_content(self, buttons: int) -> str | None:
        """The Content SID for `buttons` quick replies: found by name or made, once a process.
        None if Twilio would not make it: the options then go as numbered lines."""
        if buttons in self._buttons:
            return self._buttons[buttons]
        async with self._making:
            if buttons not in self._buttons:
                wanted = quick_reply_content(buttons)
                try:
                    sid = await self._find_content(wanted["friendly_name"]) or await self._make_content(wanted)
                except Exception as exc:  # noqa: BLE001 - buttons are a nicety; the text still goes
                    log.warning("could not make WhatsApp quick replies (%s): numbered options instead", exc)
                    return None
                self._buttons[buttons] = sid
        return self._buttons[buttons]

    async def _find_content(self, name: str) -> str | None:
        response = await self.client.request_async("GET", CONTENT_API, params={"PageSize": 500})
        if response.status_code != 200:
            raise RuntimeError(f"content list: {response.status_code}")
        found = [c for c in json.loads(response.text).get("contents", []) if c.get("friendly_name") == name]
        return found[0]["sid"] if found else None

    async def _make_content(self, content: dict) -> str:
        response = await self.client.request_async("POST", CONTENT_API, data=json.dumps(content),
                                                    headers={"Content-Type": "application/json"})
        if response.status_code not in (200, 201):
            raise RuntimeError(f"content create: {response.status_code} {response.text[:200]}")
        return json.loads(response.text)["sid"]

    def classify(self, exc: TwilioRestException) -> Outcome:
        code = exc.code or 0
        if code in NOT_ON_WHATSAPP:
            return Outcome.permanent(f"twilio {exc.status} {code}: {exc.msg}", unreachable=True)
        if code == OUTSIDE_WINDOW:
            return Outcome.permanent(f"twilio {exc.status} {code}: outside the 24-hour window: {exc.msg}")
        return classify(exc)
