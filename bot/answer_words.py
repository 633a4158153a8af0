"""Reads the words people may answer the Table 2 questions with (config/locale/<lang>/answers/), once, at start.

Both languages' words are merged: someone who chose Welsh may still answer "very good".
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from config import config_path

LOCALE_DIR = config_path("locale")
LANGS = ("cy", "en")


class AnswerWordsError(ValueError):
    """An answer-words file is missing or malformed (names the file)."""


def load_answer_words(name: str = "table2", directory: Path = LOCALE_DIR) -> dict[str, Any]:
    """{"pause": [...], "none": [...], "options": {question: {value: [words]}}}."""
    merged: dict[str, Any] = {"options": {}}
    for lang in LANGS:
        path = directory / lang / "answers" / f"{name}.yml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise AnswerWordsError(f"{path}: cannot read answer words: {exc}") from None
        if not isinstance(data, dict):
            raise AnswerWordsError(f"{path}: expected a mapping at the top")
        for key, value in data.items():
            if key == "options":
                for question, values in (value or {}).items():
                    into = merged["options"].setdefault(question, {})
                    for option, words in values.items():
                        into.setdefault(str(option), []).extend(str(w) for w in words)
            else:
                merged.setdefault(key, []).extend(str(w) for w in value or ())
    return merged
