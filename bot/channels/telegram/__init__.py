"""Telegram: a bot through python-telegram-bot (bot/channels/telegram/channel.py)."""
from __future__ import annotations

import re
from typing import Sequence

from bot.channels.plugin import ChannelSpec, Inbox, Limits
from bot.rendering import option_numbers

# In production the webhook secret is the only guard on the Telegram webhook: long enough not to guess.
PRODUCTION_SECRET_LENGTH = 32
# Telegram's rule for secret_token: 1-256 of these characters.
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramSpec(ChannelSpec):
    name = "telegram"
    label = "Telegram"

    def configured(self, settings) -> bool:
        return bool(settings.telegram.token)

    def check(self, settings, *, production: bool, polling: bool):
        from bot.config_check import error, warning

        found = []
        telegram = settings.telegram
        if polling and not telegram.token:
            found.append(error("CYSWLLT_TELEGRAM_TOKEN", "--telegram-polling needs the bot token"))
        if telegram.token and not polling:
            if not telegram.secret:
                found.append(error("CYSWLLT_TELEGRAM_SECRET", "needed with CYSWLLT_TELEGRAM_TOKEN: every Telegram "
                                   "webhook without the matching secret is refused"))
            elif not TELEGRAM_SECRET.fullmatch(telegram.secret.get_secret_value()):
                found.append(error("CYSWLLT_TELEGRAM_SECRET", "only letters, digits, _ and -, at most 256 "
                                   "(Telegram's rule for a webhook secret)"))
            elif production and len(telegram.secret) < PRODUCTION_SECRET_LENGTH:
                found.append(error("CYSWLLT_TELEGRAM_SECRET", f"at least {PRODUCTION_SECRET_LENGTH} characters in "
                                   "production (it is all that stands between the internet and the webhook); "
                                   "e.g. `openssl rand -hex 32`"))
            if not settings.public.base_url:
                found.append(warning("CYSWLLT_PUBLIC_BASE_URL", "not set: `cyswllt telegram set-webhook` needs it"))
        return found

    def warnings(self, settings, *, polling: bool) -> list[str]:
        if not settings.telegram.secret and not polling:
            return ["CYSWLLT_TELEGRAM_SECRET is not set: every Telegram webhook will be refused (403)"]
        return []

    def limits(self, settings) -> Limits:
        s = settings.sender
        # Telegram allows about 30 messages a second overall and 1 a second per chat (short bursts ok).
        return Limits(s.telegram_per_second, s.telegram_per_chat_per_second, s.telegram_per_chat_burst)

    def render(self, body: str, options: Sequence[dict]) -> str:
        """The inline keyboard, drawn as text for the console simulator."""
        if not options:
            return body
        buttons = "  ".join(f"[{n}] {o['label']}" for n, o in zip(option_numbers(options), options))
        return body + "\n" + buttons

    def build(self, settings, inbox: Inbox, *, polling: bool = False):
        from bot.channels.telegram.channel import TelegramChannel

        return TelegramChannel(settings, inbox.handle, polling=polling)


SPEC = TelegramSpec()
