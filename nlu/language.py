"""Guess whether a short message is written in Welsh or English, from common words.

Used at first contact, before the person has chosen a language: if they write in Welsh,
we answer in Welsh (the Active Offer). Short texts are ambiguous, so this only answers
when the evidence is clear.
"""
from __future__ import annotations

import re

from nlu import text as _text

WELSH_WORDS = frozenset("""
a ac achos ag am i ar at bach bod bore braf byddwn chi chwilio cymorth cymraeg cynnes da
dach dan diolch dw dwi dwin dwi'n dyma dyn eisiau efo ei eich ein fe fi fy fydd fyddwn fod
ffrindiau gallu gan gen gennych gennyf gwneud gyda hefyd helpu hoffwn i'n i'r iawn ie isio
lle llawer mae mae'n maen mewn mi moyn mwy na nage nac naddo neu nhw nid nos noswaith nôl o
oes oedd os pa pam pan pawb plis plîs prynhawn pwy rhaid rwy rwyf rydw rydyn sa sef shwmae
shw'mae sut syd sydd teimlo ti trio unig unrhyw wedi wneud wrth wyt y ych ydw ydy ydych yma
ymlaen yn yng ym yr yw ysgol hwyl helô bendigedig croeso cerdded côr grŵp grwp cael
""".split())

ENGLISH_WORDS = frozenset("""
a about am and any anyone are at be because but can could do does feel feeling find for from
get go going good got group have having hello help hey hi how i i'm im in is it it's just
know like lonely looking me more morning my near need no not of on or out please some
something thanks thank the there this to want was we what when where with would yes you your
""".split())

_WORD = re.compile(r"[\w'’]+", re.UNICODE)
# Letters that occur in Welsh text and almost never in English.
_WELSH_LETTERS = set("ŵŷâêîôûŴŶÂÊÎÔÛ")


def words(text: str) -> list[str]:
    return _text.plain_words(text)


def detect_language(text: str) -> str | None:
    """'cy', 'en', or None when the text does not say clearly."""
    tokens = words(text)
    if not tokens:
        return None
    welsh = sum(1 for t in tokens if t in WELSH_WORDS and t not in ENGLISH_WORDS)
    english = sum(1 for t in tokens if t in ENGLISH_WORDS and t not in WELSH_WORDS)
    if any(ch in _WELSH_LETTERS for ch in text):
        welsh += 1
    if welsh > english:
        return "cy"
    if english > welsh:
        return "en"
    return None
