"""Read a scale answer ("7", "7/10", "about 6", "seven", "saith") for the check-in flows."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words people use for 0-10 (and a little beyond, so "eleven" is out of range, not "not a number").
EN_WORDS = {
    "zero": 0, "nil": 0, "none": 0, "nought": 0, "nothing": 0, "one": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "twenty": 20, "hundred": 100,
}
# Welsh, including feminine forms (dwy, tair, pedair) and the short forms before nouns (pum, chwe),
# and soft-mutated forms ("ddau", "dri") that follow words such as "tua" / "rhyw".
CY_WORDS = {
    "dim": 0, "sero": 0, "un": 1, "dau": 2, "dwy": 2, "tri": 3, "tair": 3, "pedwar": 4,
    "pedair": 4, "pump": 5, "pum": 5, "chwech": 6, "chwe": 6, "saith": 7, "wyth": 8, "naw": 9,
    "deg": 10, "deng": 10, "un ar ddeg": 11, "unarddeg": 11, "deuddeg": 12, "ugain": 20, "cant": 100,
    "ddau": 2, "ddwy": 2, "dri": 3, "dair": 3, "bedwar": 4, "bedair": 4, "bump": 5, "bum": 5,
    "ddeg": 10, "dwsin": 12,
}
WORDS = {**EN_WORDS, **CY_WORDS}
_WORD_RE = re.compile(
    r"(?<![\w])(" + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + r")(?![\w])"
)
# 7, 7.5, 7,5 ; optional "/10" or "out of 10" / "allan o 10" is read but not needed
_NUMBER_RE = re.compile(r"(?<![\w.])(-?\d{1,6}(?:[.,]\d+)?)(?![\d])")


@dataclass(frozen=True)
class InRange:
    value: int


@dataclass(frozen=True)
class OutOfRange:
    value: float


@dataclass(frozen=True)
class NotANumber:
    pass


ScaleAnswer = InRange | OutOfRange | NotANumber


def parse_scale(text: str, low: int = 0, high: int = 10) -> ScaleAnswer:
    """The number in an answer, checked against [low, high]; never clamped, never raises."""
    if not isinstance(text, str):
        return NotANumber()
    t = unicodedata.normalize("NFC", text[:200]).lower().replace("\u2019", "'")
    value = _digits(t)
    if value is None:
        value = _words(t)
    if value is None:
        return NotANumber()
    if value == int(value) and low <= value <= high:
        return InRange(int(value))
    return OutOfRange(value)


def _digits(t: str) -> float | None:
    m = _NUMBER_RE.search(t)
    if not m:
        return None
    raw = m.group(1).replace(",", ".")
    value = float(raw)
    return int(value) if value == int(value) else value


def _words(t: str) -> float | None:
    # "dim" is 0 only as a whole answer or with a scale word; "dim diolch" means no thanks.
    m = _WORD_RE.search(t)
    if not m:
        return None
    word = m.group(1)
    if word in ("dim", "un", "none", "nothing") and not _only_number(t, word):
        return None
    return WORDS[word]


def _only_number(t: str, word: str) -> bool:
    rest = re.sub(r"[^\w\s]", " ", t).split()
    filler = {"tua", "rhyw", "about", "around", "maybe", "probably", "falle", "efallai", "hmm",
              "i'd", "say", "allan", "o", "out", "of", "ten", "deg", "10", "/", "mae'n", "it's",
              "its", "score", "sgôr", word}
    return all(w in filler for w in rest)
