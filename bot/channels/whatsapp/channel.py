"""WhatsApp through Twilio: the SMS channel's webhook and API, with WhatsApp's rules.

Addresses are "whatsapp:+44...". Inside the 24-hour customer-service window a row goes as
text (options as numbered lines); a row queued outside it carries its approved template
(bot/send_policy.py) and goes as ContentSid and ContentVariables. A tap on a template's
quick-reply button comes back as ButtonPayload: the option's value, as a Telegram button's does.
"""
from __future__ import annotations

import json
from typing import Mapping

from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException

from bot.channels.base import Outcome, Outgoing, plain_choice
from bot.channels.twilio_api import ADDRESS_MAX, TwilioMessaging, classify, with_opt_out
from bot.messages import InboundMessage
from bot.rendering import render_numbered

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
MAX_TEXT = 1600   # Twilio's limit for a WhatsApp message body
# WhatsApp's errors (Twilio 63xxx): the number is not on WhatsApp / cannot be found.
NOT_ON_WHATSAPP = {63003, 63024}
# Free-form outside the window, or a template WhatsApp did not approve: not the person's fault.
OUTSIDE_WINDOW = 63016


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

    def routes(self) -> list[Route]:
        return [Route(self.webhook_path, self.webhook, methods=["POST"]),
                Route(self.status_path, self.status, methods=["POST"])]

    def inbound(self, form: Mapping[str, str]) -> InboundMessage | None:
        return inbound(form)

    @staticmethod
    def render(message: Outgoing) -> str:
        return render_numbered(message.body, message.options)[:MAX_TEXT]

    def fields(self, message: Outgoing) -> dict:
        """What Messages.create is given for this row: a template's content, or the text."""
        fields = {"to": message.address, "from_": self.from_}
        if message.template:
            fields["content_sid"] = message.template["content_sid"]
            if message.template.get("variables"):
                fields["content_variables"] = json.dumps(message.template["variables"], ensure_ascii=False)
        else:
            fields["body"] = self.render(message)
        return fields

    async def send(self, message: Outgoing) -> Outcome:
        return await self.create(self.fields(message))

    def classify(self, exc: TwilioRestException) -> Outcome:
        code = exc.code or 0
        if code in NOT_ON_WHATSAPP:
            return Outcome.permanent(f"twilio {exc.status} {code}: {exc.msg}", unreachable=True)
        if code == OUTSIDE_WINDOW:
            return Outcome.permanent(f"twilio {exc.status} {code}: outside the 24-hour window: {exc.msg}")
        return classify(exc)
