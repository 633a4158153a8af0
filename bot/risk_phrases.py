"""Reads the curated bilingual risk phrase list and finds risk in a message (recall before all)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from config import setting_path

_APOSTROPHES = "'’‘`´"
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Letters only: "999" must stay "999".
_REPEAT_3 = re.compile(r"([a-z])\1{2,}")
_REPEAT_2 = re.compile(r"([a-z])\1+")


class PhraseListError(Exception):
    """The phrase file is missing or malformed (an operator error; the message names the file)."""


def fold(text: str, apostrophe: str = "") -> str:
    """Lower case, accents folded (matching only), "@"/"$" read as letters, words split by one space."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("@", "a").replace("$", "s")
    for mark in _APOSTROPHES:
        text = text.replace(mark, apostrophe)
    return _NON_WORD.sub(" ", text).strip()


def variants(text: str) -> set[str]:
    """The ways a message is read: apostrophes dropped or spaced; long letter runs squeezed."""
    out = set()
    for apostrophe in ("", " "):
        base = fold(text, apostrophe)
        out.add(_REPEAT_3.sub(r"\1\1", base))
        out.add(_REPEAT_2.sub(r"\1", base))
    return out


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once), giving up early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_typos(word: str) -> int:
    # Short words are too close to everyday ones ("abused"/"amused"): exact only.
    return 0 if len(word) < 7 else 1 if len(word) < 10 else 2


@dataclass(frozen=True)
class Category:
    name: str
    pattern: re.Pattern
    words: tuple[str, ...]

    def found_in(self, texts: set[str]) -> bool:
        if any(self.pattern.search(t) for t in texts):
            return True
        tokens = {token for t in texts for token in t.split()}
        return any(
            token == word or _edit_distance(token, word, _allowed_typos(word)) <= _allowed_typos(word)
            for word in self.words for token in tokens if len(token) >= 5
        )


class RiskPhrases:
    """The compiled phrase list: `categories_in(text)` names the risk categories a message touches."""

    def __init__(self, categories: list[Category]):
        self.categories = categories

    @classmethod
    def load(cls, path: str | Path) -> "RiskPhrases":
        file = setting_path(path)
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            categories = []
            for name, spec in data["categories"].items():
                patterns = [fold_pattern(p) for p in spec.get("patterns") or []]
                joined = "|".join(f"(?:{p})" for p in patterns) or r"(?!x)x"
                compiled = re.compile(r"(?<![0-9a-z])(?:" + joined + r")(?![0-9a-z])")
                words = tuple(fold(w) for w in spec.get("words") or [])
                categories.append(Category(name, compiled, words))
        except FileNotFoundError:
            raise PhraseListError(f"safeguarding phrase list {file} (safeguarding.phrases_file) does not exist") from None
        except (yaml.YAMLError, KeyError, TypeError, AttributeError, re.error) as exc:
            raise PhraseListError(f"safeguarding phrase list {file} is malformed: {exc}") from None
        if not categories:
            raise PhraseListError(f"safeguarding phrase list {file} has no categories")
        return cls(categories)

    def categories_in(self, text: str) -> list[str]:
        if not text or not text.strip():
            return []
        texts = variants(text)
        return [c.name for c in self.categories if c.found_in(texts)]


def fold_pattern(pattern: str) -> str:
    """A pattern as written (with accents) made to match folded text (already single-spaced)."""
    folded = unicodedata.normalize("NFKD", pattern.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))
