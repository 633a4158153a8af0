"""SMS through Twilio (bot/channels/sms/channel.py)."""
from __future__ import annotations

from typing import Sequence

from bot.channels.plugin import ChannelSpec, Inbox, Limits


class SmsSpec(ChannelSpec):
    name = "sms"
    label = "SMS"
    joins_turns = True
    provider_opt_out_words = True

    def configured(self, settings) -> bool:
        twilio = settings.twilio
        return bool((twilio.account_sid or twilio.auth_token)
                    and (twilio.from_ or twilio.messaging_service_sid or not twilio.whatsapp_from))

    def check(self, settings, *, production: bool, polling: bool):
        from bot.channels.twilio_api import credential_findings
        from bot.config_check import error

        if not self.configured(settings):
            return []
        found = credential_findings(settings, "SMS")
        if not (settings.twilio.from_ or settings.twilio.messaging_service_sid):
            found.append(error("CYSWLLT_TWILIO_FROM", "set the sending number, or CYSWLLT_TWILIO_MESSAGING_SERVICE_SID"))
        return found

    def warnings(self, settings, *, polling: bool) -> list[str]:
        from bot.channels.twilio_api import base_url_warnings

        return base_url_warnings(settings)

    def limits(self, settings) -> Limits:
        # One sending number (or messaging service): its segments-per-second is the limit.
        return Limits(settings.sender.twilio_segments_per_second)

    def cost(self, body: str, options: Sequence[dict]) -> int:
        from bot.outbox import sms_segments

        return sms_segments(body, tuple(options))

    def build(self, settings, inbox: Inbox, *, polling: bool = False):
        from bot.channels.sms.channel import TwilioChannel

        return TwilioChannel(settings, inbox)

    def phone_number(self, address: str) -> str | None:
        return address if address.startswith("+") else None

    def address_for(self, phone_number: str) -> str | None:
        return phone_number


SPEC = SmsSpec()
