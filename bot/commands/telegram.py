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


def run(args) -> int:
    settings = load_settings(args.settings)
    if not settings.telegram.token:
        print("cyswllt telegram: CYSWLLT_TELEGRAM_TOKEN is not set", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, settings))


async def _run(args, settings) -> int:
    from telegram import Bot

    bot = Bot(settings.telegram.token, base_url=settings.telegram.api_base)
    async with bot:
        if args.action == "delete-webhook":
            await bot.delete_webhook()
            print("webhook deleted")
            return 0
        url = args.url or (settings.public.base_url.rstrip("/") + "/telegram/webhook" if settings.public.base_url else "")
        if not url.startswith("https://") and not args.url:
            print("cyswllt telegram: set CYSWLLT_PUBLIC_BASE_URL to the https:// address Telegram can reach",
                  file=sys.stderr)
            return 2
        if not settings.telegram.secret:
            print("cyswllt telegram: set CYSWLLT_TELEGRAM_SECRET (1-256 of A-Z a-z 0-9 _ -) so webhooks can be "
                  "checked", file=sys.stderr)
            return 2
        await bot.set_webhook(url, secret_token=settings.telegram.secret,
                              allowed_updates=["message", "callback_query"])
        print(f"webhook set to {url}")
    return 0
