"""Reading answers that pick several things at once: buttons, "1 3 5", or words in Welsh or English."""
from __future__ import annotations

import re
import unicodedata
from typing import Mapping, Sequence

from flows.base import Choice, Option, Text

SKIP_WORDS = {"skip", "pass", "sgip", "hepgor", "hepgora", "rather not say", "prefer not to say",
              "gwell gen i beidio", "gwell gyda fi beidio", "/skip", "/hepgor", "don't know", "dont know",
              "not sure", "dunno", "dim syniad", "ddim yn gwybod", "dwi ddim yn gwybod", "dw i ddim yn gwybod",
              "sa i'n gwybod", "wn i ddim"}
DONE_WORDS = {"done", "finished", "that's all", "thats all", "that's it", "thats it", "next", "no more",
              "dyna ni", "dyna'r cyfan", "dyna fe", "dyna fo", "gorffen", "wedi gorffen", "nesaf", "dim mwy",
              "dim byd arall", "/done"}
_NUMBERS_ONLY = re.compile(r"^[\d\s,;&+and/a]+$")


def fold(text: str) -> str:
    """Lower case, accents folded, apostrophes kept straight, spaces single: for reading answers."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.strip(" .!?,;:\"()").split())


def is_skip(event) -> bool:
    if isinstance(event, Choice):
        return event.value == "skip"
    return isinstance(event, Text) and fold(event.text) in SKIP_WORDS


def is_done(event) -> bool:
    if isinstance(event, Choice):
        return event.value == "done"
    return isinstance(event, Text) and fold(event.text) in DONE_WORDS


def read_picks(event, options: Sequence[Option], words: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The option values an answer picks, in the options' order; empty when it picks none."""
    values = [o.value for o in options]
    if isinstance(event, Choice):
        return (event.value,) if event.value in values else ()
    if not isinstance(event, Text):
        return ()
    text = fold(event.text)
    picked: set[str] = set()
    if text and _NUMBERS_ONLY.match(text) and any(c.isdigit() for c in text):
        for number in re.findall(r"\d+", text):
            if 1 <= int(number) <= len(values):
                picked.add(values[int(number) - 1])
        return tuple(v for v in values if v in picked)
    tokens = text.replace("-", " ").split()
    padded = f" {' '.join(tokens)} "
    for value, keywords in words.items():
        for keyword in keywords:
            keyword = fold(keyword)
            if " " in keyword:
                hit = f" {keyword} " in padded
            elif len(keyword) >= 4:
                hit = any(token.startswith(keyword) for token in tokens)
            else:
                hit = keyword in tokens
            if hit:
                picked.add(value)
                break
    return tuple(v for v in values if v in picked)
