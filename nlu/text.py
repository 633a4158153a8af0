"""The one place text is normalised: what is kept (NFC) and what is compared (folded words).

- `nfc` is what we keep and send: ŵ is one character, nothing is stripped.
- `fold` is for matching only: lower case, curly apostrophes straight, diacritics folded (ŵ -> w),
  spaces single, punctuation at the ends dropped. Never send a folded text.
- `words` splits a folded text into words and drops punctuation ("nos, am saith" -> nos, am, saith);
  an apostrophe inside a word stays ("dwi'n", "i'w").
- `key` is a lookup key for names (places, activities, the directory): every mark becomes a space.
- `has_phrase` / `find_phrases` say whether answer words ("hardly ever", "nac ydy") occur as whole words.
- Welsh mutations (radical and mutated forms) are in nlu/mutations.py, which uses `key`.

The safeguarding screen's reading (bot/risk_phrases.fold) adds its own rules (@ as a, apostrophes
dropped or spaced); `fold(text, apostrophe="")` gives the same base it starts from.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping, Sequence

APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4"
_STRAIGHTEN = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
_ENDS = " .!?,;:\"()[]{}*…'"   # not "-": "-1" is a number
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_NOT_WORD = re.compile(r"[^0-9a-z\s]")


def nfc(text: str | None) -> str:
    """The text as kept and sent: composed (NFC), so a Welsh letter is one character."""
    return unicodedata.normalize("NFC", text or "")


def fold(text: str | None, apostrophe: str = "'") -> str:
    """For matching only: lower case, diacritics folded, apostrophes straight, spaces single, ends trimmed."""
    text = unicodedata.normalize("NFKD", (text or "").casefold()).translate(_STRAIGHTEN)
    text = "".join(c for c in text if not unicodedata.combining(c))
    if apostrophe != "'":
        text = text.replace("'", apostrophe)
    return " ".join(text.split()).strip(_ENDS)


def words(text: str | None) -> list[str]:
    """The folded words of a text, punctuation dropped ("nos, am saith" -> ["nos", "am", "saith"])."""
    return _WORD.findall(fold(text))


def plain_words(text: str | None) -> list[str]:
    """Words in lower case with their accents kept ("helô" is not "helo"): for telling languages apart."""
    return _WORD.findall(nfc(text).casefold().translate(_STRAIGHTEN))


def phrase(text: str | None) -> str:
    """The folded words joined by single spaces: the form answer words are compared in."""
    return " ".join(words(text))


def key(text: str | None) -> str:
    """A lookup key for a name: folded, and every mark (hyphen, apostrophe, full stop) a space."""
    text = fold(text)
    return " ".join(re.sub(r"[-'’`.,!?;:()\"/&]", " ", text).split())


def has_phrase(text_words: Sequence[str], wanted: str) -> bool:
    """Whether `wanted` (a folded phrase) occurs in `text_words` as whole words."""
    target = wanted.split()
    size = len(target)
    return any(list(text_words[i:i + size]) == target for i in range(len(text_words) - size + 1))


def find_phrases(text: str | None, concepts: Mapping[str, Iterable[str]]) -> list[str]:
    """The concepts whose phrases occur in the text, longest phrases first, each word used once.

    "prin byth" is hardly_ever, not hardly_ever and never: the longer phrase takes its words.
    """
    tokens: list[str | None] = list(words(text))
    candidates = sorted(((phrase(p).split(), concept) for concept, phrases in concepts.items() for p in phrases),
                        key=lambda item: -len(item[0]))
    found: list[tuple[int, str]] = []
    for target, concept in candidates:
        size = len(target)
        if not size:
            continue
        for i in range(len(tokens) - size + 1):
            if tokens[i:i + size] == target:
                found.append((i, concept))
                tokens[i:i + size] = [None] * size
    return list(dict.fromkeys(concept for _, concept in sorted(found)))


def is_one_of(text: str | None, phrases: Iterable[str]) -> bool:
    """Whether the whole text is one of these phrases (compared folded, punctuation dropped)."""
    said = phrase(text)
    return bool(said) and said in {phrase(p) for p in phrases}


def starts_with_one_of(text: str | None, phrases: Iterable[str]) -> bool:
    said = words(text)
    return any(said[:len(p.split())] == p.split() for p in (phrase(p) for p in phrases) if p)


def ascii_key(text: str | None) -> str:
    """`key` with anything but a-z, 0-9 and spaces removed (directory search terms)."""
    return _NOT_WORD.sub("", key(text)).strip()
