"""The screen's rules that read a message as a whole (bot/risk_phrases.py, `_Context`), and the
Welsh reading's dropped "fy" and spoken plurals. Each rule is checked on its own, in both
languages, with sentences that are in no labelled set; whole-set figures are in test_evaluation.py.
"""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")


def tiers(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    finding = PHRASES.assess(text)
    return finding.clear, finding.possible


# Someone else's words, told to us: every first-person pattern also covers them.
@pytest.mark.parametrize("text,category", [
    ("my sister says she wants to die", "suicide"),
    ("my dad keeps saying he is going to kill himself", "suicide"),
    ("my son has been cutting himself", "self_harm"),
    ("mae fy chwaer yn deud bod hi eisiau marw", "suicide"),
    ("mae'r mab yn torri ei hun", "self_harm"),
])
def test_a_disclosure_about_someone_else_is_clear(text, category):
    assert category in tiers(text)[0], PHRASES.readings(text)


@pytest.mark.parametrize("text", [
    "my uncle killed himself when I was small",  # a death long past is bereavement
    "a neighbour who took his own life is buried here",
    "my son cut himself on a tin while cooking",  # the first-person reading keeps its idioms
])
def test_someone_elses_past_death_or_accident_is_not_a_crisis(text):
    assert not tiers(text)[0], PHRASES.readings(text)


# Two different kinds of warning sign together are clear; one alone is not.
@pytest.mark.parametrize("text", [
    "I've made my will and I feel at peace now",  # giving + decided
    "given my dog to the neighbours, you won't need to worry about me",  # giving + farewell
    "dw i wedi penderfynu. diolch am drio",  # decided + farewell
])
def test_two_kinds_of_warning_sign_are_clear(text):
    assert "suicide" in tiers(text)[0], PHRASES.readings(text)


@pytest.mark.parametrize("text", [
    "I've made my will at last", "I feel at peace now after the retreat", "diolch am drio, welai di wythnos nesa",
])
def test_one_warning_sign_alone_is_not_a_crisis(text):
    assert not tiers(text)[0], PHRASES.readings(text)


# A disclosure told as past and over is a gentle check; happening now, it stays clear.
@pytest.mark.parametrize("text", [
    "I used to cut myself at school but I'm doing well now",
    "I tried to kill myself in 2009, I'm in a much better place",
    "o'n i'n arfer torri fy hun pan o'n i'n ifanc, dw i'n iawn nawr",
])
def test_a_past_recovered_disclosure_is_not_a_crisis(text):
    # a gentle check at most (the first example is also an idiom the lexicon sets aside)
    assert not tiers(text)[0], PHRASES.readings(text)


@pytest.mark.parametrize("text", [
    "I used to self harm years ago and I've started again",  # happening now
    "I tried to kill myself years ago, I want to die",  # a second clause, not past
    "ces i fy ngham-drin pan o'n i'n blentyn",  # past abuse with no word that it is over
])
def test_a_past_disclosure_that_is_not_over_stays_clear(text):
    assert tiers(text)[0], PHRASES.readings(text)


# A joke mark makes a bare suicide phrase a gentle check, unless it says it is not a joke.
def test_a_joke_mark_turns_a_bare_suicide_phrase_into_a_gentle_check():
    assert tiers("if I have to do another spreadsheet I want to die lol") == ((), ("suicide",))
    assert tiers("dw i isio marw 😂") == ((), ("suicide",))
    assert tiers("I want to die lol, I'm not joking")[0] == ("suicide",)
    assert "suicide" in tiers("lol I've saved up my tablets and I want to die tonight")[0]


def test_asking_how_to_help_someone_else_is_a_gentle_check_for_abuse():
    assert tiers("my neighbour's boyfriend hits her, how can I help") == ((), ("abuse",))
    assert tiers("my boyfriend hits me")[0] == ("abuse",)


# The Welsh reading: a dropped "fy" kept only as a nasal mutation, and spoken plurals.
def test_a_nasal_mutation_without_fy_reads_as_fy():
    assert PHRASES.readings("brifo mhen")["cy"] == ["brifo fy pen"]
    assert PHRASES.readings("mae'n nhad i")["cy"] == ["mae yn fy tad i"]
    assert PHRASES.readings("mod i'n iawn")["cy"] == ["bod i yn iawn"]  # "that I", not "my"


def test_spoken_plurals_read_as_written_ones():
    assert PHRASES.readings("llosgi mreichia")["cy"] == ["llosgi fy breichiau"]
    assert PHRASES.readings("rhoi mhethe i ffwrdd")["cy"] == ["rhoi fy pethau i ffwrdd"]
