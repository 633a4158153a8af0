"""The Active Offer: Welsh first, without being asked (Standard Six), and language switching."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from flows.base import (
    Ask, Begin, Choice, DataSetEvent, Flow, FlowContext, FlowState, GoTo, Option, Say,
    SetLanguage, Text, Transition,
)
from nlu.language import detect_language
from nlu.text import words

LANGUAGE_OF_CHOICE = 13  # Core Data Set: received their social prescription in their language of choice
OPTIONS = (Option("cy", "offer.option_cymraeg"), Option("en", "offer.option_english"))
INTENT_LANGUAGE = {"choose_welsh": "cy", "choose_english": "en"}
FIRST_TEXT_KEPT = 500  # a search or a request, not an essay: longer first messages are kept in the inbox only


@dataclass(frozen=True)
class LanguageState(FlowState):
    # What the person first wanted, so it is not lost while we ask about language.
    first_intent: str = ""
    # And what they wrote (e.g. "walking groups near CF47"), so they need not write it again.
    first_text: str = ""
    # A referral source code (Telegram deep link, SMS keyword) carried through to the menu.
    source: str = ""


def _offer() -> Ask:
    return Ask("offer.question", OPTIONS, language="cy+en")


def chosen(language: str, how: str, state: LanguageState) -> Transition:
    """The person's language is settled: record it, confirm it, and carry on to the menu."""
    return Transition(
        None,
        replies=[Say("offer.confirmed")],
        events=[DataSetEvent(LANGUAGE_OF_CHOICE, {"language": language, "how": how})],
        effects=[SetLanguage(language), GoTo("menu", _onward(state))],
    )


def _onward(state: LanguageState) -> dict:
    return {"intent": state.first_intent, "text": state.first_text, "source": state.source}


def begin(event, ctx: FlowContext) -> Transition:
    payload = event.payload if isinstance(event, Begin) else {}
    state = LanguageState(step="choose", first_intent=payload.get("intent", ""),
                          first_text=str(payload.get("text") or "")[:FIRST_TEXT_KEPT],
                          source=payload.get("source") or "")
    if payload.get("detected") == "cy":
        # Written to us in Welsh: answer in Welsh at once, and say how to switch.
        return Transition(
            None,
            replies=[Say("offer.welsh_detected", language="cy")],
            events=[DataSetEvent(LANGUAGE_OF_CHOICE, {"language": "cy", "how": "wrote_in_welsh"})],
            effects=[SetLanguage("cy"), GoTo("menu", _onward(state))],
        )
    return Transition(state, replies=[_offer()])


def step(state: LanguageState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice(value) if value in ("cy", "en"):
            return chosen(value, "chose", state)
        case Text(_, parse) if parse.intent in INTENT_LANGUAGE and parse.confidence >= 0.6:
            return chosen(INTENT_LANGUAGE[parse.intent], "chose", state)
        case Text(text, parse) if language := _named_or_written(text):
            # "Cymraeg os gwelwch yn dda", "englsh pls", or plain English ("i want to refer myself"):
            # the language is settled, and what they wanted is carried on.
            if not state.first_intent and parse.confidence >= 0.6 and parse.intent not in INTENT_LANGUAGE:
                state = state.with_(first_intent=parse.intent, first_text=text[:FIRST_TEXT_KEPT])
            return chosen(language, "chose", state)
        case _:
            return Transition(state, replies=[Say("offer.not_understood", language="cy+en"), _offer()])


LANGUAGE_NAMES = {"cy": ("cymraeg", "welsh"), "en": ("english", "saesneg")}


def _named_or_written(text: str) -> str | None:
    """The language a reply names (near misses too: "englsh") or, failing that, is clearly written in."""
    named = {lang for word in words(text) if len(word) >= 5 for lang, names in LANGUAGE_NAMES.items()
             if difflib.get_close_matches(word, names, n=1, cutoff=0.75)}
    if len(named) == 1:
        return named.pop()
    if not named and len(words(text)) >= 3:
        return detect_language(text)
    return None


def prompt(state: LanguageState, ctx: FlowContext):
    return (_offer(),)


FLOW = Flow(
    name="language",
    state_type=LanguageState,
    begin=begin,
    step=step,
    prompt=prompt,
    menu_label="menu.change_language",
    menu_order=90,
)
