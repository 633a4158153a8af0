"""The words people answer with, from config/locale/<lang>/answers.yml, in both languages at once.

A person may answer in either language whatever they chose ("yes" from a Welsh speaker is yes), so
each concept's words are the union of the Welsh and English lists. Compared with nlu/text.py's
folding; the files are the translator's, not Python's.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from config import config_path
from nlu import text

LOCALE_DIR = config_path("locale")
LANGUAGES = ("cy", "en")
FILE_NAME = "answers.yml"


class AnswerWordsError(Exception):
    """An answers.yml file is missing or malformed (an operator error; the message names the file)."""


@lru_cache(maxsize=4)
def by_language(locale_dir: Path = LOCALE_DIR) -> Mapping[str, Mapping]:
    """Each language's answers.yml as written (concept -> words, or group -> value -> words)."""
    loaded = {}
    for language in LANGUAGES:
        path = locale_dir / language / FILE_NAME
        try:
            # BaseLoader: every word is a string ("yes", "no", "on" are words here, never booleans).
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        except (OSError, yaml.YAMLError) as exc:
            raise AnswerWordsError(f"cannot read the answer words in {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise AnswerWordsError(f"{path} should be a mapping of concepts to lists of words")
        loaded[language] = {k: v for k, v in data.items() if k != "review"}
    return loaded


@lru_cache(maxsize=64)
def words(concept: str) -> frozenset[str]:
    """Every word or phrase for a concept ("yes", "skip", "back"...), folded, in both languages."""
    found: set[str] = set()
    for data in by_language().values():
        found |= {text.phrase(str(w)) for w in data.get(concept) or ()}
    found.discard("")
    return frozenset(found)


@lru_cache(maxsize=64)
def groups(group: str) -> Mapping[str, tuple[str, ...]]:
    """A group of concepts ("themes", "times_of_day", "frequency") -> value -> words, both languages."""
    merged: dict[str, list[str]] = {}
    for data in by_language().values():
        for value, value_words in (data.get(group) or {}).items():
            merged.setdefault(str(value), []).extend(str(w) for w in value_words or ())
    return {value: tuple(dict.fromkeys(ws)) for value, ws in merged.items()}


def said(message: str | None, concept: str) -> bool:
    """Whether the whole message is one of the concept's words ("Dyna ni!" is done)."""
    return bool(message) and text.phrase(message) in words(concept)


def starts_with(message: str | None, concept: str) -> str:
    """The longest of the concept's phrases the message starts with, or ""."""
    said_words = text.words(message)
    best = ""
    for candidate in words(concept):
        parts = candidate.split()
        if said_words[:len(parts)] == parts and len(parts) > len(best.split()):
            best = candidate
    return best
