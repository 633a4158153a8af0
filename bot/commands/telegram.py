"""`cyswllt telegram set-webhook | delete-webhook`: tell Telegram where to send updates."""
from __future__ import annotations

import asyncio
import sys

from bot.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("telegram", help="manage the Telegram bot's webhook")
    actions = parser.add_subparsers(dest="action", required=True)
    setter = actions.add_parser("set-webhook", help="register PUBLIC_BASE_URL/telegram/webhook and the secret")
    setter.add_argument("--url", help="the webhook URL (default: public.base_url + /telegram/webhook)")
    setter.set_defaults(func=run)
    deleter = actions.add_parser("delete-webhook", help="stop webhook delivery (e.g. before serve --telegram-polling)")
    deleter.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"cyswllt telegram: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    settings = load_settings(args.settings)
    if not settings.telegram.token:
        return _fail("CYSWLLT_TELEGRAM_TOKEN is not set")
    url = None
    if args.action == "set-webhook":
        base = settings.public.base_url.rstrip("/")
        url = args.url or (f"{base}/telegram/webhook" if base else "")
        if not url.startswith("https://"):
            return _fail("set CYSWLLT_PUBLIC_BASE_URL (or --url) to the https:// address Telegram can reach")
        if not settings.telegram.secret:
            return _fail("set CYSWLLT_TELEGRAM_SECRET (1-256 of A-Z a-z 0-9 _ -) so that webhooks can be checked")
    return asyncio.run(_run(settings, url))


async def _run(settings, url: str | None) -> int:
    from telegram import Bot

    from bot.channels.telegram.channel import UPDATE_TYPES

    async with Bot(settings.telegram.token.get_secret_value(), base_url=settings.telegram.api_base) as bot:
        if url is None:
            await bot.delete_webhook()
            print("webhook deleted")
            return 0
        await bot.set_webhook(url, secret_token=settings.telegram.secret.get_secret_value(),
                              allowed_updates=UPDATE_TYPES)
        print(f"webhook set to {url}")
    return 0
