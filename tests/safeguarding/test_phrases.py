"""The curated phrase list: risk is found in Welsh and English, misspelt and texted; idioms are not."""
from __future__ import annotations

import pytest

from bot.risk_phrases import PhraseListError, RiskPhrases, fold

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")

RISK = {
    "suicide": [
        "I want to kill myself", "i want to kill my self", "gonna kill myslef", "kiiiill myself", "KMS",
        "I wanna die", "i want 2 die", "I'm suicidal", "having sucidal thoughts", "thinking about suacide",
        "suiside", "I wish I was dead", "everyone would be better off without me", "I just want to end it all",
        "I'm going to take my own life", "I don't want to be here anymore", "dont want to live",
        "I can't go on like this", "I can't take it anymore", "there's no point living", "nothing to live for",
        "life isn't worth living", "I've taken all my pills", "I've been saving up my tablets",
        "I'm going to jump off the bridge", "I'm dying",
        # Welsh, south and north, with mutations and texting spellings
        "Dw i isio marw", "dwi eisiau marw", "wi moyn marw", "dw i ddim isio byw", "sa i moyn byw rhagor",
        "dwi'n meddwl am ladd fy hun", "dw i am ladd fy hunan", "lladd fy hun", "hunanladdiad",
        "meddyliau hunan-laddiad", "hunanleiddiol", "dim pwynt byw", "does dim rheswm i fyw",
        "rhoi diwedd ar y cyfan", "diweddu'r cyfan", "wedi blino ar fyw", "cymryd fy mywyd",
        "dw i wedi cymryd y tabledi i gyd", "gorddos", "methu cario mlaen", "dw i'n marw",
        "byddai'n well eu byd hebdda i", "taswn i'n farw",
    ],
    "self_harm": [
        "I've been cutting myself", "I self harm", "self-harming again", "selfharm", "I burn myself",
        "I hurt myself on purpose", "cut my wrists", "hunan-niweidio", "hunan niweidio",
        "dw i'n torri fy hun", "wedi brifo fy hun", "dwi'n anafu fy hunan",
    ],
    "abuse": [
        "he hits me", "My partner beats me", "my husband is hurting me", "I'm being abused",
        "domestic violence", "domestic abuse", "he raped me", "I'm scared of him", "I'm not safe at home",
        "she takes all my pension", "he won't let me leave", "coercive control",
        "mae e'n fy nharo i", "mae o'n fy nghuro", "mae hi'n fy mrifo", "cam-drin", "camdriniaeth",
        "trais yn y cartref", "trais domestig", "mae gen i ofn o", "dw i ddim yn teimlo'n saff adre",
        "mae e'n curo fi", "cefais fy nhreisio",
    ],
    "immediate_danger": [
        "I'm in danger", "he said he'd kill me", "he's going to kill us", "he has a knife",
        "call the police", "call 999", "someone is breaking in", "I can't breathe",
        "mewn perygl", "mae o'n mynd i fy lladd i", "ffoniwch yr heddlu", "mae ganddo fe gyllell",
        "methu anadlu",
    ],
}

SAFE = [
    "kill time at the library", "I need to kill time before the bus", "my feet are killing me",
    "I was amused by the choir", "my knee is hurting me", "I can't go on Tuesday", "I'm a carer for my mum",
    "Can I join the walking football?", "I'd like to volunteer at the food bank",
    "money worries and benefits", "I'm dead tired", "I wish I was better at singing", "the plant died",
    "lladd amser yn y llyfrgell", "Rydw i eisiau ymuno â chôr", "dw i'n gofalu am fy mam",
    "mae gen i ofn o gŵn", "mae'n bwrw glaw", "Caerdydd CF10 1AA", "9434765919", "01/02/1970",
    "skip", "hepgor", "yes", "na", "", "🙂🙂🙂", "\x00\x01\x02", "ŵŷâêîôû",
]


@pytest.mark.parametrize("category,text", [(c, t) for c, texts in RISK.items() for t in texts])
def test_risk_is_found(category, text):
    found = PHRASES.categories_in(text)
    assert found, f"missed risk: {text!r}"
    assert category in found, f"{text!r} found as {found}, expected {category}"


@pytest.mark.parametrize("text", SAFE)
def test_everyday_words_are_not_risk(text):
    assert PHRASES.categories_in(text) == []


def test_the_idiom_we_accept_as_risk_is_documented():
    # "I'm dying to..." is read as risk on purpose: when in doubt, risk (hazard log HAZ-01).
    assert PHRASES.categories_in("I'm dying to try the choir") == ["suicide"]


def test_long_and_odd_messages_are_read_without_failing():
    assert PHRASES.categories_in("la " * 2000) == []
    assert PHRASES.categories_in("x" * 5000 + " I want to kill myself") == ["suicide"]
    assert PHRASES.categories_in("I\u200b want to die") != []  # a zero-width space is not a letter


def test_folding_keeps_words_and_drops_accents_for_matching_only():
    assert fold("Dw i'n ŵyr i Siân!") == "dw in wyr i sian"
    assert fold("Dw i'n", apostrophe=" ") == "dw i n"


def test_a_missing_or_broken_phrase_file_names_itself(tmp_path):
    with pytest.raises(PhraseListError, match="safeguarding.phrases_file"):
        RiskPhrases.load(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("categories:\n  x:\n    patterns: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(PhraseListError, match="broken.yml"):
        RiskPhrases.load(broken)


from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402

# "mae gen i ofn o" (I'm afraid of him) counts only at the end: "ofn o gŵn" is a fear of dogs.
END_ANCHORED = {"mae gen i ofn o"}
ALL_RISK = [text for texts in RISK.values() for text in texts if text not in END_ANCHORED]
AROUND = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@hypothesis_settings(max_examples=300, deadline=None)
@given(before=AROUND, phrase=st.sampled_from(ALL_RISK), after=AROUND, shout=st.booleans())
def test_a_risk_phrase_is_found_whatever_surrounds_it(before, phrase, after, shout):
    text = f"{before} {phrase.upper() if shout else phrase} {after}"
    assert PHRASES.categories_in(text), f"missed: {text!r}"
