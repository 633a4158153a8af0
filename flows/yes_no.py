"""Reading yes and no in Welsh and English: Welsh answers echo the verb (ydw, ydy, oes, do, hoffwn...).

The words are the translator's, in config/locale/<lang>/answers.yml (`yes`, `no`), read the same
way in every flow. "Ydy gofalwr yn eich helpu?" is answered "Ydy" or "Nac ydy", as "Oes" and "Nac oes".
"""
from __future__ import annotations

from flows.base import Choice, Text
from nlu import answers, text as language

CONFIDENT = 0.6
LONGEST_ANSWER = 6   # words: a longer message is saying something else, not answering yes or no


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
    yes, no = answers.starts_with(event.text, "yes"), answers.starts_with(event.text, "no")
    # "Nac ydw" starts like no and ends like yes; "no thanks" is no: the longer phrase decides.
    if no and len(no.split()) > 1 and len(no.split()) >= len(yes.split()):
        return False
    if event.parse.confidence >= CONFIDENT and event.parse.intent in ("affirm", "deny"):
        return event.parse.intent == "affirm"
    said = language.words(event.text)
    if not said or len(said) > LONGEST_ANSWER:
        return None
    if no or yes:
        return len(yes.split()) > len(no.split())
    return None
