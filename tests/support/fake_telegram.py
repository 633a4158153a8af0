"""A fake Telegram Bot API on loopback: python-telegram-bot talks to it through `base_url`."""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field

from tests.support.fake_http import FakeServer, Outage, Recorder

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Cyswllt", "username": "cyswllt_test_bot"}


@dataclass
class SentMessage:
    chat_id: str
    text: str
    buttons: list[list[dict]] = field(default_factory=list)
    at: float = 0.0

    @property
    def callback_values(self) -> list[str]:
        return [b["callback_data"] for row in self.buttons for b in row]


class FakeTelegram:
    """Records sendMessage calls; can answer 429 or 500 for a while, or 403 for blocked chats."""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.sent = Recorder()
        self.answered_callbacks = Recorder()
        self.webhooks: list[dict] = []
        self.updates: list[dict] = []   # served by getUpdates (polling)
        self.blocked: set[str] = set()
        self.failures: list[tuple[int, int]] = []  # (status, retry_after) answered before succeeding
        self.lock = threading.Lock()
        self.requests = 0
        self.outage = Outage()
        self._ids = itertools.count(1)
        self.server = FakeServer(self.route)
        self.api_base = f"{self.server.url}/bot"

    def push_update(self, update: dict) -> None:
        """Make an update available to getUpdates (polling)."""
        with self.lock:
            self.updates.append(update)

    def fail_next(self, count: int, status: int = 500, retry_after: int = 1) -> None:
        with self.lock:
            self.failures.extend([(status, retry_after)] * count)

    def close(self) -> None:
        self.server.close()

    # ------------------------------------------------------------ the API

    def route(self, method: str, path: str, form: dict, headers: dict):
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        name = path[len(prefix):]
        with self.lock:
            self.requests += 1
        # The Bot API's method names are case-insensitive (the channel sends "sendmessage").
        methods = {attr[4:].lower(): attr for attr in dir(type(self)) if attr.startswith("api_")}
        handler = getattr(self, methods.get(name.lower(), ""), None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        return handler(form)

    def api_getMe(self, form):
        return 200, {"ok": True, "result": BOT_USER}

    def api_setWebhook(self, form):
        self.webhooks.append(form)
        return 200, {"ok": True, "result": True}

    def api_deleteWebhook(self, form):
        return 200, {"ok": True, "result": True}

    def api_getUpdates(self, form):
        offset = int(form.get("offset") or 0)
        with self.lock:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            ready = list(self.updates)
        if not ready:
            time.sleep(0.05)  # a short long-poll
        return 200, {"ok": True, "result": ready}

    def api_answerCallbackQuery(self, form):
        self.answered_callbacks.add(form.get("callback_query_id"))
        return 200, {"ok": True, "result": True}

    def api_sendMessage(self, form):
        if self.outage.refuses(str(form.get("chat_id"))):
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            status, retry_after = failure
            if status == 429:
                return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry later",
                             "parameters": {"retry_after": retry_after}}
            return status, {"ok": False, "error_code": status, "description": "Internal Server Error"}
        chat_id = str(form.get("chat_id"))
        if chat_id in self.blocked:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        markup = form.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else (markup or {})
        message = SentMessage(chat_id, form.get("text", ""), markup.get("inline_keyboard", []), time.monotonic())
        self.sent.add(message)
        return 200, {"ok": True, "result": {
            "message_id": next(self._ids), "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private"}, "text": message.text,
        }}

    # ------------------------------------------------------------ looking at what was sent

    def to(self, chat_id: str) -> list[SentMessage]:
        return [m for m in self.sent.snapshot() if m.chat_id == str(chat_id)]

    def wait_for_text(self, chat_id, fragment: str, since: int = 0, timeout: float = 20.0) -> list[SentMessage]:
        """Wait for a message to this chat (after the first `since`) containing `fragment`."""
        def arrived(items):
            mine = [m for m in items if m.chat_id == str(chat_id)][since:]
            return any(fragment.casefold() in m.text.casefold() for m in mine)
        self.sent.wait_for(arrived, timeout)
        return self.to(chat_id)[since:]

    def wait_for(self, chat_id: str, count: int, timeout: float = 20.0) -> list[SentMessage]:
        self.sent.wait_for(lambda items: sum(1 for m in items if m.chat_id == str(chat_id)) >= count, timeout)
        return self.to(chat_id)


class UpdateFactory:
    """Builds Telegram updates as Telegram sends them."""

    def __init__(self) -> None:
        self._ids = itertools.count(500_000)

    def text(self, chat_id: int, text: str, update_id: int | None = None) -> dict:
        update_id = update_id or next(self._ids)
        message = {
            "message_id": update_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id, "message": message}

    def edited(self, chat_id: int, message_id: int, text: str) -> dict:
        """The person changed an earlier message (Telegram sends it as a new update)."""
        update = self.text(chat_id, text)
        message = update.pop("message")
        message["message_id"] = message_id
        message["edit_date"] = int(time.time())
        return {"update_id": update["update_id"], "edited_message": message}

    def button(self, chat_id: int, data: str, update_id: int | None = None) -> dict:
        update_id = update_id or next(self._ids)
        return {"update_id": update_id, "callback_query": {
            "id": f"cb{update_id}", "chat_instance": "ci", "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "message": {"message_id": 1, "date": int(time.time()), "text": "…",
                        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                        "from": BOT_USER},
        }}

    def sticker(self, chat_id: int) -> dict:
        update_id = next(self._ids)
        return {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "is_bot": False, "first_name": "T"},
            "sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
                        "is_animated": False, "is_video": False},
        }}
