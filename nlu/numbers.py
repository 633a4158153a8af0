"""Reading an answer on a number scale, in English or Welsh: "7", "7/10", "about 6", "saith", "skip".

A number outside the scale is reported as out of range, never clamped: "12" on a 0-10 scale
is not a 10; two numbers ("7 or 8") or a fraction ("6.5") are unclear, and asked again, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlu import answers
from nlu.text import fold

VALUE = "value"
OUT_OF_RANGE = "out_of_range"
SKIP = "skip"
DECLINE = "decline"
UNCLEAR = "unclear"

ENGLISH_NUMBERS = {
    "zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "hundred": 100,
}
# Welsh numbers with the forms mutation gives them after common words (soft: "yn ddau",
# "tua dri"; aspirate: "a thri"; nasal: "fy nau"): dau -> ddau, tri -> dri/thri, pedwar -> bedwar/
# phedwar, pump -> bump/phump, deg -> ddeg.
WELSH_NUMBERS = {
    "dim": 0, "sero": 0, "un": 1, "dau": 2, "ddau": 2, "dwy": 2, "ddwy": 2, "nau": 2,
    "tri": 3, "dri": 3, "thri": 3, "nhri": 3, "tair": 3, "dair": 3, "thair": 3,
    "pedwar": 4, "bedwar": 4, "phedwar": 4, "mhedwar": 4, "pedair": 4, "bedair": 4, "phedair": 4,
    "pump": 5, "bump": 5, "phump": 5, "mhump": 5, "pum": 5, "bum": 5,
    "chwech": 6, "chwe": 6, "saith": 7, "wyth": 8, "naw": 9, "deg": 10, "ddeg": 10, "neg": 10,
    "un ar ddeg": 11, "unarddeg": 11, "deuddeg": 12, "deng": 10, "ugain": 20, "cant": 100,
}
# Words that are numbers only when they stand alone: "dim diolch" is "no thanks", "un funud" "one minute".
NUMBER_ONLY_ALONE = {"dim", "un"}
NUMBER_WORDS = {**ENGLISH_NUMBERS, **WELSH_NUMBERS}
# "7/10", "7 out of 10", "7 allan o 10": the number before is the answer.
OUT_OF = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(?:/|out of|outta|allan o|o)\s*(\d+)$")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
HEDGES = ("about", "around", "roughly", "maybe", "probably", "approx", "approximately", "i'd say",
          "id say", "i think", "say", "like", "just", "only", "a", "an", "it's", "its", "it is",
          "i'm", "im", "tua", "rhyw", "efallai", "falle", "mae'n", "mae", "yn", "yr", "y", "fy",
          "dwi'n", "dw i'n", "rwy'n", "rhoi", "i'd give it", "give it", "i give it", "score",
          "sgor", "a", "ac", "tuag at", "around about")


@dataclass(frozen=True)
class ScaleAnswer:
    kind: str             # VALUE, OUT_OF_RANGE, SKIP, DECLINE or UNCLEAR
    value: int | None = None


def _strip_hedges(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for hedge in sorted(HEDGES, key=len, reverse=True):
            if text.startswith(hedge + " "):
                text = text[len(hedge) + 1:].strip()
                changed = True
    return text


def _as_digits(text: str) -> str:
    """Number words as digits ("seven out of ten" -> "7 out of 10"), so one pattern reads both."""
    text = text.replace("un ar ddeg", "11")
    return " ".join(str(NUMBER_WORDS[w]) if w in NUMBER_WORDS else w for w in text.split(" "))


def _number(text: str) -> float | None:
    """The single number this text says, or None if it says none or several."""
    text = text.replace("un ar ddeg", "11")
    if text.split(" ")[0] in NUMBER_ONLY_ALONE and " " in text and OUT_OF.match(_as_digits(text)) is None:
        return None
    text = _as_digits(text)
    if (found := OUT_OF.match(text)) is not None:
        return float(found.group(1).replace(",", "."))
    if NUMBER.fullmatch(text):
        return float(text.replace(",", "."))
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    words = text.split(" ")
    # "7 i think", "saith dwi'n meddwl": one number and words that do not name another number.
    found = [w for w in words if NUMBER.fullmatch(w) or w in NUMBER_WORDS]
    numbers = {float(w.replace(",", ".")) if NUMBER.fullmatch(w) else float(NUMBER_WORDS[w]) for w in found}
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
