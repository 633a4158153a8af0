"""Both backends choose an intent the same way: risk first, then a trusted top intent."""
from __future__ import annotations

from nlu.decision import RISK_MIN_SCORE, decide


def test_top_intent_when_trusted():
    assert decide({"greet": 0.9, "thanks": 0.1}, 0.5) == ("greet", 0.9)


def test_low_confidence_is_out_of_scope():
    assert decide({"affirm": 0.4, "deny": 0.3}, 0.5) == ("out_of_scope", 0.4)


def test_risk_wins_even_when_not_top():
    assert decide({"self_refer": 0.6, "risk": RISK_MIN_SCORE}, 0.5) == ("risk", RISK_MIN_SCORE)


def test_no_scores():
    assert decide({}, 0.5) == ("out_of_scope", 0.0)
