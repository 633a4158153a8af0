"""Single-word keywords that work anywhere in the conversation, in Welsh and English."""
from __future__ import annotations

import difflib
from enum import Enum

from nlu.text import fold


class Keyword(Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    MENU = "menu"
    WELSH = "cy"
    ENGLISH = "en"
    CHECKIN = "checkin"


EXACT = {
    Keyword.STOP: {"stop", "stopio", "/stop"},
    Keyword.START: {"start", "dechrau", "/start"},
    Keyword.HELP: {"help", "cymorth", "/help", "/cymorth"},
    Keyword.MENU: {"menu", "dewislen", "/menu", "/dewislen"},
    Keyword.WELSH: {"cymraeg", "welsh", "/cymraeg", "/welsh"},
    Keyword.ENGLISH: {"english", "saesneg", "/english", "/saesneg"},
    Keyword.CHECKIN: {"checkin", "check-in", "lles", "/checkin", "/lles"},
}
# Twilio's own opt-out and opt-in words: on a long code Twilio acts on them whatever we do, so
# on SMS (any channel whose spec says provider_opt_out_words) we must record them too.
# Elsewhere "cancel" or "end" is not an opt-out.
SMS_ONLY = {
    Keyword.STOP: {"stopall", "unsubscribe", "cancel", "end", "quit"},
    Keyword.START: {"unstop"},
}
# Words a person may misspell: the language names (never STOP: a near-miss is not an opt-out).
FUZZY = {
    Keyword.WELSH: ("cymraeg", "welsh"),
    Keyword.ENGLISH: ("english", "saesneg"),
}
# Real words a near-miss would wrongly take for a language name: "Cymraes" (a Welsh woman) and
# "Cymro" answer the ethnic group question; they are not a request to switch to Welsh.
NOT_FUZZY = {"cymraes", "cymro", "cymry", "cymreig", "cymreigr"}
# Words that opt back in only when said by someone who has opted out.
OPT_IN_ONLY = {"yes", "ie", "ydw"}


def _provider_words(channel: str) -> bool:
    """Whether the channel's provider acts on its own opt-out words (Twilio: SMS, WhatsApp)."""
    from bot.channels import registry   # here: the channels' parts use this module

    spec = registry.spec(channel)
    return spec is not None and spec.provider_opt_out_words


def match(text: str, channel: str = "sms") -> Keyword | None:
    """The keyword this whole message is, if it is one word that is a keyword."""
    word = fold(text)
    if not word or " " in word:
        return None
    word = word.split("@", 1)[0]  # Telegram sends /start@BotName in groups
    for keyword, words in EXACT.items():
        if word in words or (_provider_words(channel) and word in SMS_ONLY.get(keyword, ())):
            return keyword
    if len(word) >= 5 and word not in NOT_FUZZY:
        for keyword, candidates in FUZZY.items():
            if difflib.get_close_matches(word, candidates, n=1, cutoff=0.75):
                return keyword
    return None


def is_opt_in(text: str, channel: str = "sms") -> bool:
    word = fold(text).split(" ", 1)[0]
    return match(text, channel) is Keyword.START or word in OPT_IN_ONLY or word.startswith("/start")
