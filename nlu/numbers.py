"""Reading an answer on a number scale, in English or Welsh: "7", "7/10", "about 6", "saith", "skip".

The number words and the words that hedge a number ("about", "tua") are the translator's, in
config/locale/<lang>/answers/numbers.yml, read through nlu/answers.py.

A number outside the scale is reported as out of range, never clamped: "12" on a 0-10 scale
is not a 10; two numbers ("7 or 8") or a fraction ("6.5") are unclear, and asked again, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Mapping

from nlu import answers, text as text_words
from nlu.text import fold

VALUE = "value"
OUT_OF_RANGE = "out_of_range"
SKIP = "skip"
DECLINE = "decline"
UNCLEAR = "unclear"

# "7/10", "7 out of 10", "7 allan o 10": the number before is the answer.
OUT_OF = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(?:/|out of|outta|allan o|o)\s*(\d+)$")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class NumberWords:
    """The number words of both languages, from config/locale/<lang>/answers/numbers.yml (the translator's)."""

    values: Mapping[str, int]            # "saith" -> 7, "seven" -> 7
    phrases: tuple[str, ...]             # numbers of several words ("un ar ddeg"), longest first
    only_alone: frozenset[str]           # numbers only when alone ("dim diolch" is no thanks)
    hedges: tuple[str, ...]              # dropped before the number ("about", "tua"), longest first


@cache
def number_words() -> NumberWords:
    values = {word: int(value) for value, words in answers.groups("numbers").items()
              for word in map(text_words.phrase, words)}
    return NumberWords(
        values=values,
        phrases=tuple(sorted((w for w in values if " " in w), key=len, reverse=True)),
        only_alone=answers.words("numbers_only_alone"),
        hedges=tuple(sorted(answers.words("number_hedges"), key=len, reverse=True)),
    )


@dataclass(frozen=True)
class ScaleAnswer:
    kind: str             # VALUE, OUT_OF_RANGE, SKIP, DECLINE or UNCLEAR
    value: int | None = None


def _strip_hedges(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for hedge in number_words().hedges:
            if text.startswith(hedge + " "):
                text = text[len(hedge) + 1:].strip()
                changed = True
    return text


def _phrases_as_digits(text: str) -> str:
    """Numbers of several words as digits ("un ar ddeg" -> "11"), before the text is split into words."""
    for phrase in number_words().phrases:
        text = text.replace(phrase, str(number_words().values[phrase]))
    return text


def _as_digits(text: str) -> str:
    """Number words as digits ("seven out of ten" -> "7 out of 10"), so one pattern reads both."""
    values = number_words().values
    return " ".join(str(values[w]) if w in values else w for w in _phrases_as_digits(text).split(" "))


def _number(text: str) -> float | None:
    """The single number this text says, or None if it says none or several."""
    values = number_words().values
    text = _phrases_as_digits(text)
    if text.split(" ")[0] in number_words().only_alone and " " in text and OUT_OF.match(_as_digits(text)) is None:
        return None
    text = _as_digits(text)
    if (found := OUT_OF.match(text)) is not None:
        return float(found.group(1).replace(",", "."))
    if NUMBER.fullmatch(text):
        return float(text.replace(",", "."))
    if text in values:
        return float(values[text])
    words = text.split(" ")
    # "7 i think", "saith dwi'n meddwl": one number and words that do not name another number.
    found = [w for w in words if NUMBER.fullmatch(w) or w in values]
    numbers = {float(w.replace(",", ".")) if NUMBER.fullmatch(w) else float(values[w]) for w in found}
    if len(numbers) == 1 and len(words) <= 6:
        return numbers.pop()
    return None


def read_scale_answer(text: str, low: int, high: int) -> ScaleAnswer:
    """What an answer on a [low, high] scale says."""
    folded = fold(text)
    if not folded:
        return ScaleAnswer(UNCLEAR)
    # Declining first: "prefer not to say" is a skip in a referral but a decline on a scale.
    if answers.starts_with(folded, "decline"):
        return ScaleAnswer(DECLINE)
    if answers.said(folded, "skip") or answers.said(folded, "next_question"):
        return ScaleAnswer(SKIP)
    number = _number(_strip_hedges(folded))
    if number is None:
        return ScaleAnswer(UNCLEAR)
    if number != int(number):
        return ScaleAnswer(UNCLEAR)  # "6.5" is between two answers: ask again rather than guess
    value = int(number)
    if not low <= value <= high:
        return ScaleAnswer(OUT_OF_RANGE, value)
    return ScaleAnswer(VALUE, value)
