"""`detect_risk`: the tier and category the screen hands to the response (bot/safeguarding.py)."""
from __future__ import annotations

import pytest

from bot.risk_phrases import RiskPhrases
from bot.safeguarding import NLU_POSSIBLE_MIN, Detection, detect_risk
from nlu.result import Parse

PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")
NOTHING = Parse("out_of_scope", 0.0)


def detect(text, parse=NOTHING):
    return detect_risk(PHRASES, text, parse, nlu_threshold=0.35)


@pytest.mark.parametrize("text,category,level", [
    ("I want to kill myself", "suicide", "urgent"),
    ("dw i wedi bod yn torri fy hun", "self_harm", "urgent"),
    ("mae fy mhartner yn fy nharo i", "abuse", "urgent"),
    ("he's outside with a knife and says he'll kill me", "immediate_danger", "emergency"),
])
def test_a_clear_disclosure_is_tier_clear_with_its_category_and_level(text, category, level):
    found = detect(text)
    assert (found.tier, found.category, found.level) == ("clear", category, level)
    assert category in found.detected_by and not found.by_nlu


def test_ambiguous_wording_is_tier_possible_and_a_concern():
    found = detect("what's the point")
    assert (found.tier, found.category, found.level) == ("possible", "suicide", "concern")


def test_everyday_sorrow_is_nothing():
    for text in ("my husband died", "mae mam wedi marw", "dwi'n unig", "I'm bored", "my feet are killing me"):
        assert detect(text) is None, text


def test_the_nlu_alone_gives_only_a_possible_risk_and_only_when_sure():
    found = detect("everything is grey", Parse("risk", 0.95))
    assert (found.tier, found.by_nlu, found.detected_by) == ("possible", True, ["nlu"])
    assert detect("everything is grey", Parse("risk", NLU_POSSIBLE_MIN - 0.01)) is None
    # With a clear phrase the NLU adds its name but the tier comes from the phrase.
    found = detect("I want to die", Parse("risk", 0.95))
    assert found.tier == "clear" and found.detected_by == ["suicide", "nlu"]


def test_an_idiom_set_aside_also_sets_aside_the_models_risk_reading():
    assert detect("mae'r tywydd yn fy lladd i", Parse("risk", 0.97)) is None


def test_a_detection_built_the_old_way_still_has_a_tier_and_category():
    assert Detection(("abuse",), False).tier == "clear"
    assert Detection(("abuse",), False).category == "abuse"
    assert Detection((), True).tier == "possible"
    assert Detection(("suicide", "immediate_danger"), False).category == "immediate_danger"
