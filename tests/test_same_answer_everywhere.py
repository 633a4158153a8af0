"""One answer reads the same in every flow: the referral, the check-in and the end-of-support questions.

All of them read answer words through nlu/answers.py (config/locale/<lang>/answers*.yml), folded by
nlu/text.py; these tests drive the flows' own step functions with the same texts.
"""
from __future__ import annotations

import pytest

from bot.questionnaire_files import load_questionnaires
from flows import checkin, end_of_support, protected_characteristics as pc
from flows.base import FlowContext, Text
from flows.checkin import CheckinState, RecordAnswer
from flows.end_of_support import EndState, RecordEndAnswer
from flows.picks import is_skip
from flows.yes_no import read_yes_no
from nlu.numbers import DECLINE, read_scale_answer
from tests.conftest import START_OF_TESTS

QUESTIONNAIRES = load_questionnaires().questionnaires
CTX = FlowContext(now=START_OF_TESTS, language="cy", channel="sms", person={"consented": True},
                  resources={"questionnaires": QUESTIONNAIRES})
YES, NO = ("yep", "ydw", "Yep!", "YDW"), ("na", "dim diolch", "Na.", "no thanks")
PREFER_NOT = ("prefer not to say", "gwell gen i beidio", "Gwell gen i beidio.", "Prefer not to say")


def _end_of_support(question: str, said: str):
    state = EndState(step="asking", eos_id=3, remaining=(question,), total=1)
    return end_of_support.step(state, Text(said), CTX)


def _checkin(said: str):
    state = CheckinState(step="asking", checkin_id=5, wave="baseline", remaining=("ons4.life_satisfaction",),
                         total=1)
    return checkin.step(state, Text(said), CTX)


def _protected(step: str, said: str):
    return pc.answer(step, {}, Text(said), lambda after, protected, **kw: protected,
                     lambda key: key)


@pytest.mark.parametrize("said", YES)
def test_yes_is_yes_in_the_referral_and_the_end_of_support_questions(said):
    assert read_yes_no(Text(said)) is True     # the referral's yes/no questions
    assert _protected(pc.INTRO, said) == {}    # the protected-characteristics intro: answer them
    assert _end_of_support("quote", said).effects == (RecordEndAnswer(3, "quote", True, "answered"),)


@pytest.mark.parametrize("said", NO)
def test_no_is_no_in_the_referral_and_the_end_of_support_questions(said):
    assert read_yes_no(Text(said)) is False
    assert _end_of_support("quote", said).effects == (RecordEndAnswer(3, "quote", False, "answered"),)


@pytest.mark.parametrize("said", PREFER_NOT)
def test_prefer_not_to_say_reads_the_same_in_every_flow(said):
    assert read_scale_answer(said, 0, 10).kind == DECLINE                 # referral scales
    assert _protected("pc_sex", said) == {"sex": pc.PREFER_NOT}          # referral, protected characteristics
    assert _checkin(said).effects == (RecordAnswer(5, "ons4", "life_satisfaction", None, "declined"),)
    assert is_skip(Text(said))                                           # a question with no such option
    assert _end_of_support("satisfaction", said).effects == (
        RecordEndAnswer(3, "satisfaction", None, "skipped"),)


@pytest.mark.parametrize("said", ("later", "nes ymlaen", "stop for now", "dim nawr"))
def test_pause_words_pause_the_check_in_and_the_end_of_support_questions(said):
    assert _checkin(said).state is None
    assert _end_of_support("satisfaction", said).state is None
