"""The words people answer with, in both languages at once: the one reader of answer words.

Each language's words are config/locale/<lang>/answers.yml (the words every flow shares: yes, no,
skip, don't know, prefer not to say, pause, none...) and config/locale/<lang>/answers/*.yml (one
question set's options, e.g. table2.yml for the end-of-support and protected-characteristics
questions). A concept or group is named once across a language's files.

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
MORE_DIR = "answers"   # config/locale/<lang>/answers/*.yml: one question set's words each


class AnswerWordsError(Exception):
    """An answer-words file is missing or malformed (an operator error; the message names the file)."""


def files(language: str, locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """A language's answer-word files: answers.yml first, then answers/*.yml by name."""
    return [locale_dir / language / FILE_NAME, *sorted((locale_dir / language / MORE_DIR).glob("*.yml"))]


def read_file(path: Path) -> dict:
    """One answer-words file as written, its `review` line included."""
    try:
        # BaseLoader: every word is a string ("yes", "no", "on" are words here, never booleans).
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise AnswerWordsError(f"cannot read the answer words in {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise AnswerWordsError(f"{path} should be a mapping of concepts to lists of words")
    return data


@lru_cache(maxsize=4)
def by_language(locale_dir: Path = LOCALE_DIR) -> Mapping[str, Mapping]:
    """Each language's answer words as written (concept -> words, or group -> value -> words)."""
    loaded: dict[str, dict] = {}
    for language in LANGUAGES:
        merged: dict = {}
        named_in: dict[str, Path] = {}
        for path in files(language, locale_dir):
            for name, value in read_file(path).items():
                if name == "review":
                    continue
                if name in named_in:
                    raise AnswerWordsError(f"{path}: {name!r} is already in {named_in[name]}; name it once")
                named_in[name] = path
                merged[name] = value
        loaded[language] = merged
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
