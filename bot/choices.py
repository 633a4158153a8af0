"""Reading a reply as one of the options last offered: a button, its number, or its label."""
from __future__ import annotations

import difflib
from typing import Any, Sequence

from nlu import answers
from nlu.text import fold as _fold

# Answer words a flow reads itself: never taken as a near miss of some option's label. ("nôl",
# Welsh for back, is within difflib's reach of the option "No": BACK at a consent or yes/no
# question was read as a refusal.)
OWN_WORDS = ("back", "skip", "done", "more", "change", "privacy", "pause", "yes", "no")


def resolve_choice(text: str, pending: Sequence[dict[str, Any]]) -> str | None:
    """The value of the option this text picks, or None. `pending` items: {value, labels:{cy,en}}."""
    if not pending:
        return None
    answer = _fold(text)
    if not answer:
        return None
    values = [str(option["value"]) for option in pending]
    if answer.isascii() and answer.isdigit():  # not "³" or "٣": isdigit() alone accepts those
        # Scales offer their own numbers (0-10); other lists are numbered from 1.
        if all(v.isdigit() for v in values):
            return answer if answer in values else None
        index = int(answer) - 1
        return values[index] if 0 <= index < len(values) else None
    by_label: dict[str, str] = {}
    for option in pending:
        for label in option.get("labels", {}).values():
            by_label[_fold(label)] = str(option["value"])
    if answer in by_label:
        return by_label[answer]
    if any(answers.said(answer, concept) for concept in OWN_WORDS):
        return None
    close = difflib.get_close_matches(answer, list(by_label), n=2, cutoff=0.8)
    if len(close) == 1 or (len(close) == 2 and by_label[close[0]] == by_label[close[1]]):
        return by_label[close[0]]
    return None
