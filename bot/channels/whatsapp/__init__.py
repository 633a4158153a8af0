"""WhatsApp through Twilio (bot/channels/whatsapp/channel.py); templates outside the window."""
from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from bot.channels.plugin import ChannelSpec, Inbox, Limits
from bot.rendering import render_numbered

PREFIX = "whatsapp:"


class WhatsAppSpec(ChannelSpec):
    name = "whatsapp"
    label = "WhatsApp"
    # WhatsApp's customer-service window: free-form messages only within 24 hours of the
    # person's last message; after it, approved templates only (bot/send_policy.py).
    window = timedelta(hours=24)
    provider_opt_out_words = True   # Twilio's opt-out handling works on WhatsApp as on SMS

    def configured(self, settings) -> bool:
        return bool(settings.twilio.whatsapp_from)

    def check(self, settings, *, production: bool, polling: bool):
        from bot.channels.twilio_api import credential_findings
        from bot.channels.whatsapp.templates import LANGUAGES, UNPROMPTED
        from bot.config_check import error, warning

        if not self.configured(settings):
            return []
        found = credential_findings(settings, "WhatsApp message")
        sender = settings.twilio.whatsapp_from
        if not sender.removeprefix(PREFIX).startswith("+"):
            found.append(error("CYSWLLT_TWILIO_WHATSAPP_FROM", f"{sender!r} is not a WhatsApp sender like "
                               "whatsapp:+447700900000"))
        templates = settings.whatsapp.templates
        missing = [f"{key} ({lang})" for key in UNPROMPTED for lang in LANGUAGES
                   if lang not in templates.get(key, {})]
        if missing:
            found.append(warning("CYSWLLT_WHATSAPP_TEMPLATES", f"{len(missing)} unprompted message kinds have no "
                                 "approved template; outside the 24-hour window they are held, not sent: "
                                 + ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
                                 + " (`cyswllt whatsapp templates`, docs/whatsapp.md)"))
        return found

    def warnings(self, settings, *, polling: bool) -> list[str]:
        from bot.channels.twilio_api import base_url_warnings

        return base_url_warnings(settings)

    def limits(self, settings) -> Limits:
        return Limits(settings.whatsapp.per_second)

    def render(self, body: str, options: Sequence[dict]) -> str:
        return render_numbered(body, options)

    def build(self, settings, inbox: Inbox, *, polling: bool = False):
        from bot.channels.whatsapp.channel import WhatsAppChannel

        return WhatsAppChannel(settings, inbox)

    def phone_number(self, address: str) -> str | None:
        number = address.removeprefix(PREFIX)
        return number if address.startswith(PREFIX) and number.startswith("+") else None

    def address_for(self, phone_number: str) -> str | None:
        return PREFIX + phone_number


SPEC = WhatsAppSpec()
