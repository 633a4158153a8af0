"""Consent to keep what a person shares is asked on its own, and a no is respected."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.dispatcher import Dispatcher
from flows import consent
from flows.base import Begin, Choice, Flow, FlowContext, FlowState, GoTo, Say, Text, Transition
from flows.registry import FLOWS
from nlu.result import Parse
from storage.models import Consent
from tests.conftest import START_OF_TESTS
from tests.support.conversation import ConversationDriver

CTX = FlowContext(now=START_OF_TESTS, language="en", channel="sms")


@dataclass(frozen=True)
class NeedsConsentState(FlowState):
    pass


def _begin(event, ctx):
    if not ctx.person.get("consented"):
        return Transition(None, effects=[GoTo("consent", {"then": "private"})])
    return Transition(None, replies=[Say("menu.you_are_welcome")])


PRIVATE = Flow("private", NeedsConsentState, _begin, lambda s, e, c: Transition(None), lambda s, c: (),
               menu_label="menu.prompt", menu_order=1)


@pytest.fixture
def consenting_bot(app):
    app.dispatcher = Dispatcher(sessions=app.sessions, nlu=app.dispatcher.nlu, catalog=app.catalog,
                                clock=app.clock, settings=app.settings, flows={**FLOWS, "private": PRIVATE})
    bot = ConversationDriver(app)
    bot.send("Helo")
    bot.send("2")
    return bot


@pytest.mark.parametrize("answer", ["1", "yes", "Yes, I agree", "ok", "ydw", "Ydw, rwy'n cytuno"])
def test_yes_records_consent_and_carries_on(consenting_bot, answer):
    consenting_bot.send("1").expect_key("consent.question", lang="en", choices=('yes', 'no', 'privacy'))
    consenting_bot.send(answer).expect_key("consent.thanks", "menu.you_are_welcome", lang="en")
    assert [c.given for c in consenting_bot.rows(Consent)] == [True]


@pytest.mark.parametrize("answer", ["2", "no", "No thanks", "nac ydw", "na"])
def test_no_is_respected_and_the_person_can_still_use_the_service(consenting_bot, answer):
    consenting_bot.send("1")
    consenting_bot.send(answer).expect_key("consent.declined", "menu.prompt", lang="en")
    assert [c.given for c in consenting_bot.rows(Consent)] == [False]


@pytest.mark.parametrize("answer", ["3", "privacy", "PREIFATRWYDD"])
def test_privacy_gives_the_full_notice_then_asks_again(consenting_bot, answer):
    consenting_bot.send("1")
    consenting_bot.send(answer).expect_key("consent.privacy_notice", "consent.question", lang="en").expect_key(
        "consent.privacy_notice", days=90)
    assert consenting_bot.rows(Consent) == []


def test_an_unclear_answer_asks_again(consenting_bot):
    consenting_bot.send("1")
    consenting_bot.send("what is this?").expect_key("consent.not_understood", "consent.question", lang="en")


def test_consent_flow_is_pure_and_carries_the_next_flow():
    started = consent.begin(Begin({"then": "referral", "then_payload": {"source": "gp1"}}), CTX)
    result = consent.step(started.state, Choice("yes"), CTX)
    assert result.state is None
    assert consent.RecordConsent(True) in result.effects
    assert GoTo("referral", {"source": "gp1"}) in result.effects


def test_a_confident_nlu_deny_is_a_no():
    state = consent.begin(Begin({}), CTX).state
    result = consent.step(state, Text("i'd rather you didn't", Parse("deny", 0.9)), CTX)
    assert consent.RecordConsent(False) in result.effects
