"""Reading answers that pick several things at once: buttons, "1 3 5", or words in Welsh or English.

Numbers and words are both read: "1 a 4, hefyd bod allan yn yr awyr agored" picks the first, the
fourth and outdoors. Skip, done and back words are the translator's (config/locale/<lang>/answers.yml,
read by nlu/answers.py, folded by nlu/text.py).
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

from flows.base import Choice, Option, Text
from nlu import answers, text as language

_NUMBER = re.compile(r"\d+")
STEM_LENGTH = 4   # an answer word this long also matches words it starts ("depress" -> "depressed")


SKIPPING = ("skip", "dont_know", "decline")   # where a question has no "prefer not to say", it is a skip


def is_skip(event) -> bool:
    if isinstance(event, Choice):
        return event.value == "skip"
    return isinstance(event, Text) and any(answers.said(event.text, concept) for concept in SKIPPING)


def is_exactly(text: str, words: Sequence[str]) -> bool:
    """Whether the whole answer is one of these words (folded, nlu/text.py)."""
    return language.is_one_of(text, words)


def is_done(event) -> bool:
    if isinstance(event, Choice):
        return event.value == "done"
    return isinstance(event, Text) and answers.said(event.text, "done")


def is_back(event) -> bool:
    """BACK / NÔL: the person wants the question before this one again."""
    if isinstance(event, Choice):
        return event.value == "back"
    return isinstance(event, Text) and answers.said(event.text, "back")


def numbers_in(text: str) -> list[int]:
    """Every whole number typed, in order ("1 a 4" -> [1, 4]; "1,4" -> [1, 4])."""
    return [int(n) for n in _NUMBER.findall(text or "")]


def read_picks(event, options: Sequence[Option], words: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The option values an answer picks (numbers and words both), in the options' order."""
    values = [o.value for o in options]
    if isinstance(event, Choice):
        return (event.value,) if event.value in values else ()
    if not isinstance(event, Text):
        return ()
    picked: set[str] = set()
    numbers = numbers_in(event.text)
    for number in numbers:
        if 1 <= number <= len(values):
            picked.add(values[number - 1])
    by_number = set(picked)
    tokens = language.words(event.text)
    for value, keywords in words.items():
        for keyword in keywords:
            keyword = language.phrase(keyword)
            if " " in keyword:
                hit = language.has_phrase(tokens, keyword)
            elif len(keyword) >= STEM_LENGTH:
                hit = any(token.startswith(keyword) for token in tokens)
            else:
                hit = keyword in tokens
            if hit:
                picked.add(value)
                break
    if picked == by_number and any(not 1 <= n <= len(values) for n in numbers):
        # Numbers alone, one of them not on the list ("12/03/1961", "1 4 12"): a date or a slip,
        # so ask again rather than keep the part that happened to fit.
        return ()
    return tuple(v for v in values if v in picked)
