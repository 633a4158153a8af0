"""A message as it arrives from any channel, before anything is made of it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.text import nfc

# Longer messages are kept whole in the inbox but only this much is read for meaning.
READ_LIMIT = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


@dataclass(frozen=True)
class InboundMessage:
    channel: str          # "sms", "telegram", "console"
    address: str          # phone number in E.164, Telegram chat id
    text: str | None      # what they typed (None for a button press)
    provider_id: str      # Twilio MessageSid, Telegram update_id: makes redelivery harmless
    choice: str | None = None      # the value of a button pressed
    payload: str | None = None     # a deep-link payload (Telegram /start CODE)
    # An earlier message the person changed (Telegram edited_message): screened, never a flow's input.
    edited: bool = False
    # It carried a photo, voice note, video or file (WhatsApp's NumMedia): with no text, we say we read words.
    media: bool = False


def clean_text(text: str | None) -> str:
    """The text as we read it: NFC (so ŵ is one character), no control characters, trimmed."""
    if not text:
        return ""
    text = nfc(text)
    text = _CONTROL.sub("", text).replace("\r", "")
    return text.strip()[:READ_LIMIT]


def storable_text(text: str | None) -> str | None:
    """The text as sent, except NUL, which PostgreSQL cannot store: it becomes U+FFFD."""
    return None if text is None else text.replace("\x00", "\ufffd")
