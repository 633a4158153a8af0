"""WhatsApp through Twilio: the SMS channel's webhook and API, with WhatsApp's rules.

Addresses are "whatsapp:+44...". Inside the 24-hour customer-service window a row goes as text;
up to three short options go as quick-reply buttons, up to ten as a list picker (a button, in the
person's language, that opens the list). In session WhatsApp needs no approval for either, but
Twilio sends them only as Content: one per kind and number of options, every text a variable, made
once and found again by name. Longer options, more than ten, or a practitioner's commands go as
numbered lines. A row queued outside the window carries its approved template
(bot/send_policy.py) and goes as ContentSid and ContentVariables. A tap on a button comes back as
ButtonPayload, a pick from a list as ListId: the option's value, as a Telegram button's does.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Mapping

from twilio.base.exceptions import TwilioRestException

from bot.channels.base import Outcome, Outgoing, plain_choice
from bot.catalog import Catalog
from bot.channels.twilio_api import ADDRESS_MAX, TwilioMessaging, classify, sid_and_sender, with_opt_out
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
# A list picker in session: at most 10 items of at most 24 characters (ids 200), its button 20.
LIST_ITEMS = 10
LIST_ITEM = 24
LIST_ID = 200
LIST_BUTTON = 20
LIST_BUTTON_KEY = "whatsapp.list_button"
CONTENT_API = "https://content.twilio.com/v1/Content"


def _fits(body: str, options, most: int, longest: int) -> bool:
    """Whether these options fit a Content kind: few and short enough, not a practitioner's commands."""
    return (0 < len(options) <= most and len(body) <= BUTTON_BODY
            and all(len(str(o["label"])) <= longest and len(str(o["value"])) <= LIST_ID
                    and not o.get("command") for o in options))


def quick_reply_fits(body: str, options) -> bool:
    return _fits(body, options, QUICK_REPLIES, BUTTON_TITLE)


def list_picker_fits(body: str, options) -> bool:
    return _fits(body, options, LIST_ITEMS, LIST_ITEM)


def _slots(lead: int, count: int) -> list[tuple[str, str]]:
    """The variables of each option's label and value, after `lead` variables of the message's own."""
    return [("{{%d}}" % (lead + 2 * n - 1), "{{%d}}" % (lead + 2 * n)) for n in range(1, count + 1)]


def _content(kind: str, count: int, lead: int, shape: dict) -> dict:
    """A Content resource of `kind` for `count` options, {{1}} always the text (plain text too)."""
    return {"friendly_name": f"cyswllt-{kind.removeprefix('twilio/')}-{count}", "language": "en",
            "variables": {str(n): "x" for n in range(1, lead + 2 * count + 1)},
            "types": {kind: shape, "twilio/text": {"body": "{{1}}"}}}


def quick_reply_content(buttons: int) -> dict:
    """Content for `buttons` quick replies: {{1}} the text, then each button's title and id (the value)."""
    actions = [{"title": title, "id": id_} for title, id_ in _slots(1, buttons)]
    return _content("twilio/quick-reply", buttons, 1, {"body": "{{1}}", "actions": actions})


def list_picker_content(items: int) -> dict:
    """Content for a list of `items`: {{1}} the text, {{2}} the button that opens the list, then
    each item's text and id (the option's value)."""
    listed = [{"item": item, "id": id_} for item, id_ in _slots(2, items)]
    return _content("twilio/list-picker", items, 2, {"body": "{{1}}", "button": "{{2}}", "items": listed})


def content_variables(lead: list[str], options) -> dict[str, str]:
    """The message's own texts, then each option's label and value, numbered as _slots numbers them."""
    values = [*lead, *(str(v) for o in options for v in (o["label"], o["value"]))]
    return {str(n): value for n, value in enumerate(values, start=1)}


def list_button(catalog: Catalog, language: str | None) -> str:
    """The text of the button that opens the list, in the person's language. A bilingual message
    (no language chosen yet) gets both if they fit, else the Welsh."""
    if language in ("cy", "en"):
        return catalog.text(LIST_BUTTON_KEY, language)[:LIST_BUTTON]
    cy, en = catalog.text(LIST_BUTTON_KEY, "cy"), catalog.text(LIST_BUTTON_KEY, "en")
    both = f"{cy} / {en}"
    return both if len(both) <= LIST_BUTTON else cy[:LIST_BUTTON]


def inbound(form: Mapping[str, str]) -> InboundMessage | None:
    """A Twilio WhatsApp webhook's form as an InboundMessage (None if it is not one)."""
    sid, sender = sid_and_sender(form)
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
        self.require(settings, "WhatsApp", ("CYSWLLT_TWILIO_WHATSAPP_FROM", twilio.whatsapp_from))
        super().__init__(settings, inbox)
        sender = twilio.whatsapp_from
        self.from_ = sender if sender.startswith(PREFIX) else PREFIX + sender
        self._contents: dict[str, str] = {}    # Content friendly name -> its SID
        self._making = asyncio.Lock()
        self._catalog: Catalog | None = None   # read when a list is first sent: the button's text

    def inbound(self, form: Mapping[str, str]) -> InboundMessage | None:
        return inbound(form)

    @staticmethod
    def render(message: Outgoing) -> str:
        return render_numbered(message.body, message.options)[:MAX_TEXT]

    def fields(self, message: Outgoing, content: tuple[str, list[str]] | None = None) -> dict:
        """The Messages API parameters for this row: a template, Content made for its options
        (SID, and the message's own texts before the options'), or the text."""
        fields = {"To": message.address, "From": self.from_}
        if message.template:
            fields["ContentSid"] = message.template["content_sid"]
            if message.template.get("variables"):
                fields["ContentVariables"] = json.dumps(message.template["variables"], ensure_ascii=False)
        elif content:
            sid, lead = content
            fields["ContentSid"] = sid
            fields["ContentVariables"] = json.dumps(content_variables(lead, message.options), ensure_ascii=False)
        else:
            fields["Body"] = self.render(message)
        return fields

    async def send(self, message: Outgoing) -> Outcome:
        content = None if message.template else await self._content_for(message)
        return await self.create(self.fields(message, content))

    async def _content_for(self, message: Outgoing) -> tuple[str, list[str]] | None:
        """Buttons or a list for this row's options, if they fit and Twilio has the Content:
        its SID and the message's own texts (a list's button in the person's language)."""
        if quick_reply_fits(message.body, message.options):
            sid = await self._content_sid(quick_reply_content(len(message.options)))
            return (sid, [message.body]) if sid else None
        if list_picker_fits(message.body, message.options):
            sid = await self._content_sid(list_picker_content(len(message.options)))
            if self._catalog is None:
                self._catalog = Catalog.load()
            return (sid, [message.body, list_button(self._catalog, message.language)]) if sid else None
        return None

    async def _content_sid(self, wanted: dict) -> str | None:
        """The SID of this Content: found by name or made, once a process. None if Twilio would
        not make it: the options then go as numbered lines."""
        name = wanted["friendly_name"]
        if name in self._contents:
            return self._contents[name]
        async with self._making:
            if name not in self._contents:
                try:
                    sid = await self._find_content(name) or await self._make_content(wanted)
                except Exception as exc:  # noqa: BLE001 - buttons and lists are a nicety; the text still goes
                    log.warning("could not make WhatsApp %s (%s): numbered options instead", name, exc)
                    return None
                self._contents[name] = sid
        return self._contents[name]

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
