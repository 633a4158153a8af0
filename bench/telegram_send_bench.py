"""Telegram send path: PTB's private `_post` (before issue 18) against its public `do_api_request`.

    python bench/telegram_send_bench.py

CPU per send through python-telegram-bot's request path alone, with a request object that
answers at once (no HTTP), so the difference is not lost in network noise: what the public call
costs on top of the private one. Prints the median of 7 runs of 5,000 sends each.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.request import BaseRequest  # noqa: E402

from bot.channels.telegram.channel import TextBot, keyboard_json  # noqa: E402

ANSWER = b'{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}'
MARKUP = keyboard_json(({"value": "cy", "label": "Cymraeg"}, {"value": "en", "label": "English"}))


class Instant(BaseRequest):
    """Encodes the request as aiohttp would be given it, and answers at once."""

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(self, url, method, request_data=None, **timeouts):
        if request_data is not None:
            request_data.url_encoded_parameters()
        return 200, ANSWER


class PrivatePostBot(TextBot):
    """send_text as it was: PTB's private _post."""

    async def send_text(self, chat_id, text, reply_markup=None):
        data = {"chat_id": chat_id, "text": text}
        if reply_markup:
            data["reply_markup"] = reply_markup
        return await self._post("sendMessage", data)


async def cpu_per_send(bot_class, sends: int) -> float:
    bot = bot_class("1:x", request=Instant(), get_updates_request=Instant())
    started = time.process_time()
    for n in range(sends):
        await bot.send_text(1000 + n, "Shwmae, sut wyt ti?", MARKUP)
    return (time.process_time() - started) / sends * 1e6


def main() -> None:
    results: dict[str, list[float]] = {"_post (private)": [], "do_api_request (public)": []}
    for _ in range(7):
        for name, cls in zip(results, (PrivatePostBot, TextBot)):
            results[name].append(asyncio.run(cpu_per_send(cls, 5000)))
    for name, runs in results.items():
        print(f"{name:26s} median {statistics.median(runs):5.1f} us CPU a send "
              f"(runs: {', '.join(f'{r:.1f}' for r in runs)})")


if __name__ == "__main__":
    main()
