"""Welsh initial consonant mutations (soft, nasal, aspirate, h-prefix), forwards and backwards.

"yng Nghaerdydd", "i Gaerdydd", "a Chaerdydd" all start from Caerdydd; to find a place or an
activity in a message we undo the mutation of the first word and look the radical form up.
One table serves both directions, for the NLU, the place gazetteer and the activity search.
"""
from __future__ import annotations

from nlu.text import key


# radical prefix -> its mutated prefixes, by mutation
SOFT = {"c": "g", "p": "b", "t": "d", "g": "", "b": "f", "d": "dd", "m": "f", "ll": "l", "rh": "r"}
NASAL = {"c": "ngh", "p": "mh", "t": "nh", "g": "ng", "b": "m", "d": "n"}
ASPIRATE = {"c": "ch", "p": "ph", "t": "th"}
VOWELS = "aeiouwyâêîôûŵŷ"


def _radical_prefix(word: str) -> str:
    for prefix in ("ll", "rh"):
        if word.startswith(prefix):
            return prefix
    return word[:1]


def mutated_forms(text: str) -> set[str]:
    """All mutated forms of a word or name (only its first letter(s) change), with the same case."""
    if not text:
        return set()
    lower = text.lower()
    prefix = _radical_prefix(lower)
    forms: set[str] = set()
    for table in (SOFT, NASAL, ASPIRATE):
        if prefix in table:
            forms.add(table[prefix] + text[len(prefix):])
    if lower[0] in VOWELS:
        forms.add("h" + text)  # ei hardal, ei henw
    if text[0].isupper():
        forms = {f[:1].upper() + f[1:] if f else f for f in forms}
    forms.discard(text)
    return {f for f in forms if f}


MUTATIONS = {"soft": SOFT, "nasal": NASAL, "aspirate": ASPIRATE}


def mutate(name: str, mutation: str) -> str:
    """A name set into Welsh text after a word that mutates it: only its first letter(s) change.

    mutate("Cyswllt", "soft") == "Gyswllt" (Croeso i Gyswllt); "aspirate" -> "Chyswllt" (â Chyswllt);
    mutate("dydd Iau", "soft") == "ddydd Iau" (ar ddydd Iau); mutate("Caerdydd", "nasal") == "Nghaerdydd".
    A name that does not start with a mutable consonant is returned as it is.
    """
    table = MUTATIONS[mutation]
    if not name or not name[0].isalpha():
        return name
    prefix = _radical_prefix(name.lower())
    if prefix not in table:
        return name
    mutated = table[prefix] + name[len(prefix):]
    if name[0].isupper() and mutated:
        mutated = mutated[0].upper() + mutated[1:]
    return mutated


# mutated prefix -> possible radical prefixes; longest prefixes are tried first
_UNMUTATE: dict[str, set[str]] = {}
for _table in (SOFT, NASAL, ASPIRATE):
    for _radical, _mutated in _table.items():
        if _mutated:
            _UNMUTATE.setdefault(_mutated, set()).add(_radical)


# A lookup key: lower case, accents and punctuation dropped (only for matching, never shown).
fold = key


_UNMUTATE_LONGEST_FIRST = sorted(_UNMUTATE.items(), key=lambda item: -len(item[0]))


def radical_forms(word: str) -> list[str]:
    """The folded word itself first, then what it could have been before a mutation (for lookups)."""
    word = fold(word)
    forms = [word]
    for mutated, roots in _UNMUTATE_LONGEST_FIRST:
        if word.startswith(mutated) and len(word) > len(mutated) + 1:
            forms.extend(root + word[len(mutated):] for root in sorted(roots))
    # Soft mutation drops an initial G before vowels and l, r, w too ("o Wynedd" is Gwynedd).
    if word:
        forms.append("g" + word)
    return list(dict.fromkeys(forms))


def radicals(word: str) -> set[str]:
    """The word itself plus every form it could be a mutation of (lower case)."""
    w = word.lower()
    out = {w}
    for mutated, roots in _UNMUTATE.items():
        if w.startswith(mutated) and len(w) > len(mutated):
            out |= {r + w[len(mutated):] for r in roots}
    if w and w[0] in VOWELS:
        out.add("g" + w)  # soft mutation drops g: "i Gaerwen" is regular, "ei ardd" is gardd
    if len(w) > 1 and w[0] == "h" and w[1] in VOWELS:
        out.add(w[1:])
    return out
