"""Telegram through python-telegram-bot: updates in (webhook or polling), messages out.

PTB's `Application` is built with `updater(None)` (its custom-webhook pattern) and fed each
update with `process_update`, awaited in the request, so the webhook is answered only after
the dispatcher has committed the message.
"""
from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging
import warnings
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes, ExtBot, MessageHandler,
                          filters)

from bot.channels.base import Outcome, Outgoing, Unavailable, nested_too_deep, plain_choice, without_surrogates
from bot.channels.plugin import TooLarge, read_body
from bot.channels.telegram.http import AiohttpRequest
from bot.dispatcher import Handled
from bot.messages import InboundMessage
from bot.metrics import INBOUND

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
# Buttons side by side while they fit on a phone; longer labels get a row each.
ROW_LABEL_BUDGET = 30
# Edited messages are screened for risk (a disclosure may be added by editing), never given to a flow.
UPDATE_TYPES = ["message", "edited_message", "callback_query"]

Handle = Callable[[InboundMessage], Awaitable[Handled]]
# The outcome of the update being processed, written by the PTB handler, read by the webhook.
_outcome: contextvars.ContextVar[dict] = contextvars.ContextVar("telegram_outcome")


def _button_rows(options: tuple[dict, ...] | list[dict]) -> list[list[dict]]:
    """Inline keyboard rows as the Bot API takes them: the button's callback data is the option's value."""
    buttons = [{"text": str(o["label"])[:64], "callback_data": str(o["value"])[:64]} for o in options]
    if sum(len(str(o["label"])) for o in options) <= ROW_LABEL_BUDGET:
        return [buttons]
    return [[b] for b in buttons]


def keyboard(options: tuple[dict, ...] | list[dict]) -> InlineKeyboardMarkup | None:
    """Options as an inline keyboard."""
    if not options:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**b) for b in row] for row in _button_rows(options)])


def keyboard_json(options: tuple[dict, ...] | list[dict]) -> dict | None:
    """`keyboard` as the JSON the Bot API takes, without building PTB's objects."""
    return {"inline_keyboard": _button_rows(options)} if options else None


def inbox_key(data: dict) -> str:
    """The inbox key of an update: its update_id and a hash of the whole update.

    The update_id alone is not unique for ever (Telegram restarts the sequence after a week
    without updates; a new bot starts its own), and a new message under an old id must not be
    taken for a redelivery. A redelivery is the same update again, so it hashes the same; a new
    message differs (its message id, date, chat or callback id). Any kind of update, alike.
    """
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()[:24]
    return f"{str(data.get('update_id'))[:20]}:{digest}"


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the webhook secret token."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the attribute will become a timedelta; we accept either.
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# do_api_request warns when the endpoint is one of the Bot's own methods ("sendMessage"); we
# call it so on purpose (see TextBot). The Bot API's method names are case-insensitive, so the
# lower-case name is the same method, and not one of the Bot's attributes.
SEND_MESSAGE = "sendmessage"


class TextBot(ExtBot):
    """PTB's bot, with a way to send a text that hands back Telegram's answer as it came.

    `send_text` makes the request `send_message` makes, through PTB's public `do_api_request`
    (the same machinery: its request, its errors RetryAfter, Forbidden, ...), but does not
    build a Message from the answer nor PTB objects for the keyboard: those cost more CPU than
    the request itself.
    """

    async def send_text(self, chat_id: int, text: str, reply_markup: dict | None = None) -> dict:
        data: dict = {"chat_id": chat_id, "text": text}
        if reply_markup:
            data["reply_markup"] = reply_markup
        return await self.do_api_request(SEND_MESSAGE, api_kwargs=data)


class TelegramChannel:
    """One bot: takes updates to the dispatcher and sends outbox rows."""

    name = CHANNEL

    def __init__(self, settings, handle: Handle, pool_size: int = 64, polling: bool = False):
        if not settings.telegram.token:
            raise ValueError("CYSWLLT_TELEGRAM_TOKEN is not set: the Telegram channel needs the bot token")
        self.settings = settings
        self.secret = settings.telegram.secret
        self._handle = handle
        self.polling = polling
        timeout = settings.sender.http_timeout_s
        bot = TextBot(settings.telegram.token.get_secret_value(), base_url=settings.telegram.api_base,
                      request=AiohttpRequest(pool_size, timeout))
        self.application = Application.builder().bot(bot).updater(None).build()
        app = self.application
        # First: an edit of any message, a command too, is only screened (PTB's CommandHandler
        # would otherwise take an edited "/start" as a new one).
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, self._on_edit))
        app.add_handler(CommandHandler("start", self._on_start, filters=filters.UpdateType.MESSAGE))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_message))

    @property
    def bot(self):
        return self.application.bot

    async def start(self) -> None:
        await self.application.initialize()

    async def stop(self) -> None:
        await self.application.shutdown()

    def routes(self) -> list[Route]:
        return [Route("/telegram/webhook", self.webhook, methods=["POST"])]

    def background(self, stop: asyncio.Event) -> list:
        return [self.poll(stop)] if self.polling else []

    async def webhook(self, request: Request) -> Response:
        if not secret_matches(self.secret.get_secret_value(), request.headers.get(SECRET_HEADER)):
            INBOUND.labels(CHANNEL, "rejected").inc()
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await read_body(request)
        except TooLarge:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
        except (ValueError, RecursionError):   # RecursionError: JSON nested far too deep
            return PlainTextResponse("not a Telegram update", status_code=400)
        try:
            await self.process(data)
        except Unavailable:
            return PlainTextResponse("try again", status_code=503)
        except ValueError:
            return PlainTextResponse("not a Telegram update", status_code=400)
        return Response(status_code=200)

    # ------------------------------------------------------------ inbound

    async def process(self, data: dict) -> Handled | None:
        """Handle one update's JSON; raises Unavailable if it could not be committed.

        Raises ValueError for JSON that is not an update python-telegram-bot can read.
        """
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # noqa: BLE001 - PTB raises many kinds for malformed updates
            raise ValueError(f"not a Telegram update: {type(exc).__name__}") from exc
        if nested_too_deep(data):
            raise ValueError("not a Telegram update: nested too deep")
        outcome: dict = {"provider_id": inbox_key(data)}
        token = _outcome.set(outcome)
        try:
            await self.application.process_update(update)
        finally:
            _outcome.reset(token)
        if "error" in outcome:
            raise Unavailable(str(outcome["error"])) from outcome["error"]
        return outcome.get("handled")

    async def _deliver(self, update: Update, text: str | None, choice: str | None = None,
                       payload: str | None = None, edited: bool = False) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return  # the service speaks to people one to one, never in groups
        outcome = _outcome.get({})
        message = InboundMessage(CHANNEL, str(chat.id), without_surrogates(text),
                                 outcome.get("provider_id") or str(update.update_id),
                                 choice=plain_choice(choice), payload=without_surrogates(payload), edited=edited)
        try:
            outcome["handled"] = await self._handle(message)
        except Exception as exc:  # noqa: BLE001 - any failure means: not committed, ask again
            outcome["error"] = exc

    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # /start CODE from a deep link t.me/bot?start=CODE: the code (e.g. a referral source)
        # travels as the payload; the text stays the bare command so keywords still work.
        payload = context.args[0][:64] if context.args else None
        await self._deliver(update, "/start", payload=payload)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await self._deliver(update, None, choice=(query.data or "")[:64])
        if "handled" in _outcome.get({}):
            try:
                await query.answer()  # stops the button's spinner; harmless if it fails
            except TelegramError as exc:
                log.info("could not answer a callback query: %s", exc)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        # Stickers, photos and voice notes have no text: the dispatcher asks for words.
        await self._deliver(update, message.text or message.caption or "")

    async def _on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        edited = update.edited_message
        text = edited.text or edited.caption or ""
        if text:
            await self._deliver(update, text, edited=True)

    # ------------------------------------------------------------ polling (local use)

    async def poll(self, stop: asyncio.Event, timeout: int = 10) -> None:
        """Long-poll getUpdates and handle each update as the webhook would.

        The offset moves past an update only once it is committed, so nothing is lost.
        """
        await self.bot.delete_webhook()
        offset = None
        while not stop.is_set():
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=timeout,
                                                     allowed_updates=UPDATE_TYPES)
            except (NetworkError, TimedOut) as exc:
                log.warning("getUpdates failed (%s); trying again", exc)
                await asyncio.sleep(1)
                continue
            for update in updates:
                try:
                    await self.process(update.to_dict())
                except Unavailable:
                    log.warning("database unavailable; update %s will be fetched again", update.update_id)
                    await asyncio.sleep(1)
                    break
                offset = update.update_id + 1

    async def set_webhook(self, url: str) -> bool:
        return await self.bot.set_webhook(url, secret_token=self.secret.get_secret_value() or None,
                                          allowed_updates=UPDATE_TYPES, drop_pending_updates=False)

    # ------------------------------------------------------------ outbound

    async def send(self, message: Outgoing) -> Outcome:
        """Send one outbox row; classify what went wrong, if anything."""
        text = message.body[:MAX_TEXT] or "…"
        try:
            sent = await self.bot.send_text(int(message.address), text, keyboard_json(message.options))
        except RetryAfter as exc:
            seconds = _retry_after(exc)
            return Outcome.rate_limited(f"telegram 429: retry after {seconds:g}s", seconds)
        except Forbidden as exc:
            # Blocked by the person, or their account deactivated: retrying cannot help.
            return Outcome.permanent(f"telegram 403: {exc.message}", unreachable=True)
        except BadRequest as exc:
            unreachable = "chat not found" in exc.message.lower()
            return Outcome.permanent(f"telegram 400: {exc.message}", unreachable=unreachable)
        except (TimedOut, NetworkError) as exc:
            return Outcome.retry(f"telegram: {exc}")
        except TelegramError as exc:
            return Outcome.retry(f"telegram: {exc}")
        except ValueError:
            return Outcome.permanent(f"not a Telegram chat id: {message.address!r}", unreachable=True)
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return Outcome.sent(None if message_id is None else str(message_id), "sent")
