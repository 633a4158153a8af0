"""What someone wrote when they asked to be referred is their What Matters answer: never asked again."""
from __future__ import annotations

import pytest

from flows.referral import what_matters_in
from storage.models import Referral
from tests.support.referral import finish_quickly


def test_said_at_the_menu_in_welsh_it_is_kept_through_consent_and_not_asked_again(bot):
    said = "dwi isio help, dwi di bod yn unig ers i'r wraig farw"
    bot.speaking("cy")
    bot.send(said).expect_key("referral.intro", "consent.question", lang="cy")
    bot.send("ia").expect_key("referral.what_matters_noted", "referral.themes", lang="cy",
                              absent=("referral.what_matters",))
    finish_quickly(bot)
    [referral] = bot.rows(Referral)
    assert referral.answers["what_matters"] == said


def test_said_as_the_very_first_message_it_survives_the_active_offer(bot):
    said = "I need some help, I've been really lonely since my wife passed"
    bot.send(said).expect_key("offer.question")
    bot.send("2").expect_key("referral.intro", "consent.question", lang="en")
    bot.send("yes").expect_key("referral.what_matters_noted", "referral.themes", lang="en")
    finish_quickly(bot)
    [referral] = bot.rows(Referral)
    assert referral.answers["what_matters"] == said


def test_a_bare_request_to_be_referred_is_still_asked_what_matters(bot):
    bot.speaking("en")
    bot.send("I want to refer myself for social prescribing").expect_key("referral.intro", "consent.question")
    bot.send("yes").expect_key("referral.what_matters", absent=("referral.what_matters_noted",))


@pytest.mark.parametrize("text", [
    "I want to refer myself", "refer me please", "I'd like social prescribing", "dwi isio cyfeirio fy hun",
    "hoffwn i gael presgripsiynu cymdeithasol", "2", "hi",
])
def test_a_request_alone_says_nothing_of_what_matters(text):
    assert what_matters_in(text) == ""


@pytest.mark.parametrize("text", [
    "I've been lonely since my wife died", "need help with my debts and the rent", "dwi'n unig iawn",
    "isio cwrdd a pobl newydd", "Mae'r biliau'n ormod a dw i'n poeni drwy'r amser",
    "I used to love going out but since the operation I just sit in the house all day",
])
def test_what_matters_said_in_passing_is_kept_whole(text):
    assert what_matters_in(text) == text
