"""Welsh initial mutations undone, and a folded lookup key: pure text functions, no data.

Used for place names ("yng Nghaerdydd" -> Caerdydd) and activity words ("am gôr" -> côr).
The NLU's general mutation handling (nlu/entities.py) may replace this later.
"""
from __future__ import annotations

import re
import unicodedata

# Mutated form -> possible radicals, longest forms first.
# Soft: C->G, P->B, T->D, G->(dropped), B->F, M->F, D->Dd, Ll->L, Rh->R.
# Nasal: C->Ngh, P->Mh, T->Nh, G->Ng, B->M, D->N.  Aspirate: C->Ch, P->Ph, T->Th.
MUTATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ngh", ("c",)), ("mh", ("p",)), ("nh", ("t",)), ("ng", ("g",)),
    ("ch", ("c",)), ("ph", ("p",)), ("th", ("t",)), ("dd", ("d",)),
    ("g", ("c",)), ("b", ("p",)), ("d", ("t",)), ("f", ("b", "m")),
    ("l", ("ll",)), ("r", ("rh",)), ("m", ("b",)), ("n", ("d",)),
)


def fold(text: str) -> str:
    """A lookup key: lower case, accents and punctuation dropped (only for matching, never shown)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[-'’`.,!?;:()\"]", " ", text)
    return " ".join(text.split())


def radical_forms(word: str) -> list[str]:
    """The word itself, then what it could have been before a Welsh initial mutation."""
    word = fold(word)
    forms = [word]
    for mutated, radicals in MUTATIONS:
        if word.startswith(mutated) and len(word) > len(mutated) + 1:
            forms.extend(radical + word[len(mutated):] for radical in radicals)
    # Soft mutation drops an initial G ("o Wynedd" is Gwynedd), so a G is tried in front.
    if word:
        forms.append("g" + word)
    return list(dict.fromkeys(forms))
