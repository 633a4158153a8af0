"""Reading yes and no in Welsh and English: Welsh answers echo the verb (ydw, oes, do, hoffwn...)."""
from __future__ import annotations

import re
import unicodedata

from flows.base import Choice, Text

CONFIDENT = 0.6
YES = frozenset("""
yes y yeah yep yup ya aye ok okay k sure definitely please agree agreed course fine certainly
ydw ydy ydyn ydych oes do hoffwn hoffen ie iawn byddaf bydd bydda gallaf galla cytuno wrth gwrs
plis os gwelwch yn dda dwi'n cytuno rwy'n cytuno ydw i
""".split())
NO = frozenset("""
no n nope nah not never don't dont disagree
na nac naddo nage dim nid ddim
""".split())
# Phrases whose first word alone would mislead ("nac ydw" starts like no, "na hoffwn" too: both no).
NO_PHRASES = ("nac ydw", "nac oes", "na hoffwn", "na fyddaf", "nac ydy", "no thanks", "no thank you",
              "dim diolch", "ddim yn cytuno", "don't agree", "do not agree", "not really")
_WORD = re.compile(r"[\w'’]+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().replace("’", "'").strip()


def read_yes_no(event, yes_value: str = "yes", no_value: str = "no") -> bool | None:
    """True for yes, False for no, None when the answer says neither clearly."""
    if isinstance(event, Choice):
        if event.value == yes_value:
            return True
        if event.value == no_value:
            return False
        return None
    if not isinstance(event, Text):
        return None
    text = _fold(event.text)
    if any(text.startswith(p) for p in NO_PHRASES):
        return False
    if event.parse.confidence >= CONFIDENT and event.parse.intent in ("affirm", "deny"):
        return event.parse.intent == "affirm"
    words = _WORD.findall(text)
    if not words or len(words) > 6:
        return None
    if words[0] in NO:
        return False
    if words[0] in YES:
        return True
    return None
