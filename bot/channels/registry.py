"""The channels there are, by name. Adding one: its package in bot/channels/, one line here."""
from __future__ import annotations

import importlib
from functools import cache

from bot.channels.plugin import ChannelSpec

# name -> the package whose SPEC describes it (imported on first use).
CHANNELS = {
    "telegram": "bot.channels.telegram",
    "sms": "bot.channels.sms",
    "whatsapp": "bot.channels.whatsapp",
}


@cache
def spec(name: str) -> ChannelSpec | None:
    """The channel called `name`; None for something else ("console", the simulator's)."""
    module = CHANNELS.get(name)
    return None if module is None else importlib.import_module(module).SPEC


def specs() -> list[ChannelSpec]:
    return [spec(name) for name in CHANNELS]


def configured(settings) -> list[ChannelSpec]:
    """The channels this deployment has settings for."""
    return [s for s in specs() if s.configured(settings)]


def phone_number(channel: str, address: str) -> str | None:
    """The phone number an address is (SMS, WhatsApp), if it is one."""
    own = spec(channel)
    return own.phone_number(address) if own is not None else None


def same_number(channel: str, address: str) -> list[tuple[str, str]]:
    """The person's addresses on other channels with the same phone number (one person, several addresses)."""
    number = phone_number(channel, address)
    if not number:
        return []
    found = []
    for other in specs():
        if other.name != channel and (other_address := other.address_for(number)):
            found.append((other.name, other_address))
    return found


def label(channel: str | None) -> str:
    """A channel's name as people read it ("SMS", "WhatsApp"); "-" for none."""
    if not channel:
        return "-"
    own = spec(channel)
    return own.label if own is not None else channel.title()
