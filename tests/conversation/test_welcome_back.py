"""Back after a while: welcomed back and asked whether to carry on or start again (issue 20 item 6)."""
from __future__ import annotations

import pytest

from storage.models import OutboundMessage, Referral
from tests.support.referral import start_referral

WORDS = {"en": {"hello": "hello", "back": "Welcome back", "carry_on": "carry on", "again": "start again",
                "asked": "Which of these", "menu": "What would you like to do?", "closes": "closes in 5 days"},
         "cy": {"hello": "helo", "back": "Croeso nôl", "carry_on": "parhau", "again": "dechrau eto",
                "asked": "Gyda beth hoffech chi help", "menu": "Beth hoffech chi ei wneud?",
                "closes": "cau ymhen 5 diwrnod"}}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_hello_after_days_is_not_taken_as_an_old_answer(bot, language):
    words = WORDS[language]
    start_referral(bot, language)
    bot.send("Walking with friends")                      # now at the themes question
    bot.advance("3d").expect(words["closes"])              # the reminder says when it closes
    bot.send(words["hello"]).expect(words["back"], options=True).expect_lang(language)
    assert bot.conversation().state["step"] == "themes"
    assert bot.conversation().state.get("themes") == []
    bot.send(words["carry_on"]).expect(words["asked"])
    bot.send("1").expect_lang(language)
    assert bot.conversation().state["themes"] == ["lonely"]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_start_again_goes_to_the_menu(bot, language):
    words = WORDS[language]
    start_referral(bot, language)
    bot.send("Walking with friends")
    bot.advance("30h")
    bot.send(words["hello"]).expect(words["back"])
    bot.send("2").expect(words["menu"])
    assert bot.conversation().flow == "menu"
    assert [r.status for r in bot.rows(Referral)] == ["draft"]   # kept until it closes


def test_an_answer_with_numbers_after_days_is_an_answer(bot):
    start_referral(bot, "en")
    bot.send("Walking with friends")
    bot.advance("2d")
    bot.send("1 2").expect("main reason", absent=("Welcome back",))


def test_an_unclear_reply_asks_again_kindly(bot):
    start_referral(bot, "en")
    bot.send("Walking with friends")
    bot.advance("2d")
    bot.send("hi").expect("Welcome back")
    bot.send("what?").expect("didn't catch that", "Carry on")
    bot.send("carry on").expect("Which of these")


def test_within_the_gap_nothing_is_asked(bot):
    start_referral(bot, "en")
    bot.send("Walking with friends")
    bot.advance("2h")
    bot.send("hello")
    assert not [m for m in bot.rows(OutboundMessage) if "Welcome back" in (m.body or "")]
