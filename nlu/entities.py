"""Find places and activities in a message and name them canonically, through Welsh mutations.

`canonical_place("yng Nghaerdydd") == "Caerdydd"`, `canonical_place("cardiff") == "Caerdydd"`,
`canonical_activity("gerdded") == "walking"`. The asset-search and referral flows use these too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlu import gazetteer, mutations, text as _text
from nlu.result import Entity

_TOKEN = re.compile(r"[^\W_]+")
_POSTCODE = re.compile(
    r"\b((?:CF|SA|LL|NP|LD|SY|CH|HR)\d{1,2}[A-Z]?)(?:\s*(\d[ABD-HJLNP-UW-Z]{2}))?\b", re.IGNORECASE
)
# Place names that are also everyday words in messages; a person would not mean the hamlet.
_NOT_PLACES = frozenset("""
    help hope park bridge church cross mill end star valley square nebo bethel moriah salem
    zion soar hermon babell carmel gosen seion tabor ebenezer horeb sardis bethesda pisgah
    new town city bay beach dock island green hill common heath cwm fach fawr isaf uchaf
    glan pant rhos pen bryn tre dre maes llan nant coed gwaun waun ffordd heol bont pont
    brook marsh ford castle wood lane forge cottage square village station bank
    dol fron fan parc llys wern groes cefn tan cymer main post
""".split())
# Everyday Welsh words that look like a mutated name: "rhoi'r gorau" is not a choir (corau).
_NOT_MUTATED = frozenset("gorau ganol fawr fach dda well ben bell dre dref fan fyw gael gerdd".split())
_MAX_TOKENS = 6
_MIN_MUTATED_LEN = 4


@dataclass(frozen=True)
class _Index:
    keys: dict[str, tuple[str, str]]  # folded key -> (entity, canonical)
    longest: int


def _key(name: str) -> str:
    return " ".join(_TOKEN.findall(_text.fold(name)))


@lru_cache(maxsize=1)
def _index() -> _Index:
    keys: dict[str, tuple[str, str]] = {}
    # Places first so that an activity with the same name (rare) wins by overwriting.
    for place in gazetteer.places():
        for name in place.names():
            key = _key(name)
            for candidate in (key, _without_article(key)):
                if candidate and len(candidate) >= 4 and candidate not in _NOT_PLACES:
                    keys.setdefault(candidate, ("location", place.canonical))
    for alias, canonical in gazetteer.place_aliases().items():
        keys[_key(alias)] = ("location", canonical)
    for activity in gazetteer.activities():
        for name in activity.en + activity.cy:
            keys[_key(name)] = ("activity", activity.canonical)
    longest = max(len(k.split()) for k in keys)
    return _Index(keys, min(longest, _MAX_TOKENS))


def _without_article(key: str) -> str:
    for article in ("y ", "yr "):
        if key.startswith(article) and len(key) - len(article) >= 5:
            return key[len(article):]
    return ""


def find_entities(text: str) -> tuple[Entity, ...]:
    """Every place and activity in the text, longest match first, with canonical values."""
    if not text:
        return ()
    index = _index()
    found: list[Entity] = []
    taken: set[int] = set()
    for m in _POSTCODE.finditer(text):
        value = m.group(1).upper() + (" " + m.group(2).upper() if m.group(2) else "")
        found.append(Entity("location", value, m.start(), m.end()))
        taken.update(range(m.start(), m.end()))
    tokens = [(m.start(), m.end(), _text.fold(m.group())) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        hit = None
        for length in range(min(index.longest, len(tokens) - i), 0, -1):
            span = tokens[i:i + length]
            if any(pos in taken for pos in range(span[0][0], span[-1][1])):
                continue
            hit = _lookup(index, [t[2] for t in span])
            if hit:
                found.append(Entity(hit[0], hit[1], span[0][0], span[-1][1]))
                i += length
                break
        if not hit:
            i += 1
    return tuple(sorted(found, key=lambda e: e.start))


def _lookup(index: _Index, words: list[str]) -> tuple[str, str] | None:
    key = " ".join(words)
    if key in index.keys:
        return index.keys[key]
    first, rest = words[0], words[1:]
    if len(first) < _MIN_MUTATED_LEN - 1 or first in _NOT_MUTATED:
        return None
    for radical in sorted(mutations.radicals(first) - {first}):
        candidate = " ".join([radical, *rest])
        hit = index.keys.get(candidate)
        # Short radicals are too easy to hit by accident ("fan" -> "ban"), except activities (côr).
        if hit and (hit[0] == "activity" or len(candidate) >= _MIN_MUTATED_LEN):
            return hit
    return None


def _first(text: str, entity: str) -> str | None:
    try:
        return next((e.value for e in find_entities(text or "") if e.entity == entity), None)
    except Exception:  # a lookup never takes a conversation down; no match is a safe answer
        return None


def canonical_place(text: str) -> str | None:
    """The canonical name of the first place in the text ("ym Mangor" -> "Bangor"), or None."""
    return _first(text, "location")


def canonical_activity(text: str) -> str | None:
    """The canonical key of the first activity in the text ("gerdded" -> "walking"), or None."""
    return _first(text, "activity")
