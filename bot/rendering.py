"""How a message and its options look on each channel."""
from __future__ import annotations

from typing import Sequence

from bot.sms_segments import plain_punctuation


def option_numbers(options: Sequence[dict]) -> list[str]:
    """The number shown beside each option: a scale's own numbers, otherwise 1, 2, 3..."""
    values = [str(o["value"]) for o in options]
    if values and all(v.isdigit() for v in values):
        return values
    return [str(i) for i in range(1, len(values) + 1)]


def render_sms(body: str, options: Sequence[dict]) -> str:
    """SMS has no buttons: options become numbered lines the person can answer with.

    Curly quotes and dashes become plain ones (each would force the whole text into UCS-2,
    halving what fits in a segment); Welsh letters are always kept as they are.
    """
    return plain_punctuation(render_numbered(body, options))


def render_numbered(body: str, options: Sequence[dict]) -> str:
    """Options as numbered lines after the text (a practitioner's item: its commands)."""
    if options and all(o.get("command") for o in options):
        # A practitioner's item: its commands, which name the item, not numbers that might
        # be read as an answer to another message.
        body = body + "\n" + " / ".join(o["command"] for o in options)
    elif options:
        lines = [f"{n} {o['label']}" for n, o in zip(option_numbers(options), options)]
        body = body + "\n" + "\n".join(lines)
    return body


def render_as_text(channel: str, body: str, options: Sequence[dict]) -> str:
    """A message as its channel would show it, drawn as text (console simulator, test driver)."""
    from bot.channels import registry   # here: the channels render with the functions above

    spec = registry.spec(channel)
    return spec.render(body, options) if spec is not None else render_sms(body, options)


def text_channels() -> list[str]:
    """Every channel a conversation can be simulated on: the registered ones, and the console."""
    from bot.channels import registry

    return [*registry.CHANNELS, "console"]
