"""Back after a while: welcomed back and asked whether to carry on or start again (issue 20 item 6)."""
from __future__ import annotations

import pytest

from storage.models import OutboundMessage, Referral
from tests.support.referral import start_referral

WORDS = {"en": {"hello": "hello", "carry_on": "carry on"}, "cy": {"hello": "helo", "carry_on": "parhau"}}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_hello_after_days_is_not_taken_as_an_old_answer(bot, language):
    words = WORDS[language]
    start_referral(bot, language)
    bot.send("Walking with friends")                      # now at the themes question
    bot.advance("3d").expect_key("referral.reminder", lang=language, days=5)   # the reminder says when it closes
    bot.send(words["hello"]).expect_key("conversation.welcome_back", lang=language, options=True).expect_lang(language)
    assert bot.conversation().state["step"] == "themes"
    assert bot.conversation().state.get("themes") == []
    bot.send(words["carry_on"]).expect_key("referral.themes", lang=language)
    bot.send("1").expect_lang(language)
    assert bot.conversation().state["themes"] == ["lonely"]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_start_again_goes_to_the_menu(bot, language):
    words = WORDS[language]
    start_referral(bot, language)
    bot.send("Walking with friends")
    bot.advance("30h")
    bot.send(words["hello"]).expect_key("conversation.welcome_back", lang=language)
    bot.send("2").expect_key("menu.prompt", lang=language)
    assert bot.conversation().flow == "menu"
    assert [r.status for r in bot.rows(Referral)] == ["draft"]   # kept until it closes


def test_an_answer_with_numbers_after_days_is_an_answer(bot):
    start_referral(bot, "en")
    bot.send("Walking with friends")
    bot.advance("2d")
    bot.send("1 2").expect_key("referral.reasons", lang="en", absent=("conversation.welcome_back",))


def test_an_unclear_reply_asks_again_kindly(bot):
    start_referral(bot, "en")
    bot.send("Walking with friends")
    bot.advance("2d")
    bot.send("hi").expect_key("conversation.welcome_back", lang="en")
    bot.send("what?").expect_key("conversation.welcome_back_again", lang="en")
    bot.send("carry on").expect_key("referral.themes", lang="en")


def test_within_the_gap_nothing_is_asked(bot):
    start_referral(bot, "en")
    bot.send("Walking with friends")
    bot.advance("2h")
    bot.send("hello")
    sent = [m.catalog_key for m in bot.rows(OutboundMessage)]
    assert "conversation.welcome_back" not in sent and "referral.welcome_back" not in sent
