"""SMS through Twilio: signed webhooks in, the Messages API out, delivery statuses back."""
from __future__ import annotations

from typing import Mapping


from bot.channels.base import Outcome, Outgoing
from bot.channels.twilio_api import (  # noqa: F401 - the SMS channel's names for them
    ADDRESS_MAX, EMPTY_TWIML, SIGNATURE_SETTINGS_HEADER, STATUS_RANK, UNDELIVERABLE, SignatureChecker, TwilioMessaging,
    classify, lower_statuses, sid_and_sender, status_rank, with_opt_out,
)
from bot.messages import InboundMessage
from bot.rendering import render_sms

CHANNEL = "sms"


def inbound(form: Mapping[str, str]) -> InboundMessage | None:
    """A Twilio SMS webhook's form as an InboundMessage (None if it is not one)."""
    sid, sender = sid_and_sender(form)
    # An address longer than the inbox stores is not a phone number (E.164 is at most 16).
    if not sid or not sender or len(sender) > ADDRESS_MAX:
        return None
    return InboundMessage(CHANNEL, sender, with_opt_out(form, form.get("Body", "")), sid[:64])


class TwilioChannel(TwilioMessaging):
    """Sends outbox rows as SMS with the Twilio Messages API."""

    name = CHANNEL
    webhook_path = "/twilio/sms"
    status_path = "/twilio/status"

    def __init__(self, settings, inbox=None):
        twilio = settings.twilio
        self.require(settings, "SMS", ("CYSWLLT_TWILIO_FROM or CYSWLLT_TWILIO_MESSAGING_SERVICE_SID",
                                       twilio.from_ or twilio.messaging_service_sid))
        super().__init__(settings, inbox)
        self.sender_key = twilio.from_ or twilio.messaging_service_sid

    def inbound(self, form: Mapping[str, str]) -> InboundMessage | None:
        return inbound(form)

    @staticmethod
    def render(message: Outgoing) -> str:
        return render_sms(message.body, message.options)

    async def send(self, message: Outgoing) -> Outcome:
        twilio = self.settings.twilio
        fields = {"To": message.address, "Body": self.render(message)}
        if twilio.messaging_service_sid:
            fields["MessagingServiceSid"] = twilio.messaging_service_sid
        else:
            fields["From"] = twilio.from_
        return await self.create(fields)
