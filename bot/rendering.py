"""How a message and its options look on each channel."""
from __future__ import annotations

from typing import Sequence


def option_numbers(options: Sequence[dict]) -> list[str]:
    """The number shown beside each option: a scale's own numbers, otherwise 1, 2, 3..."""
    values = [str(o["value"]) for o in options]
    if values and all(v.isdigit() for v in values):
        return values
    return [str(i) for i in range(1, len(values) + 1)]


def render_sms(body: str, options: Sequence[dict]) -> str:
    """SMS has no buttons: options become numbered lines the person can answer with."""
    if not options:
        return body
    lines = [f"{n} {o['label']}" for n, o in zip(option_numbers(options), options)]
    return body + "\n" + "\n".join(lines)


def render_telegram_console(body: str, options: Sequence[dict]) -> str:
    """Telegram's inline keyboard, drawn as text for the console simulator."""
    if not options:
        return body
    buttons = "  ".join(f"[{n}] {o['label']}" for n, o in zip(option_numbers(options), options))
    return body + "\n" + buttons


RENDERERS = {"sms": render_sms, "telegram": render_telegram_console, "console": render_sms}
