"""Opt-out in words with one confirmation, and PRIVACY / PREIFATRWYDD from anywhere (issue 20 items 9, 10)."""
from __future__ import annotations

import pytest

from tests.support.referral import start_referral


@pytest.fixture
def settings(settings):
    # These tests walk the three original instruments (15 items): a check-in a person starts asks
    # ONS-4 alone by default (tests/table2/test_waves.py).
    settings.checkins.questionnaires = ["ons4", "ons_loneliness", "swemwbs"]
    settings.checkins.interim_questionnaires = ["ons4", "ons_loneliness", "swemwbs"]
    return settings


@pytest.mark.parametrize("language, said, yes, stopped", [
    ("en", "please stop texting me", "yes", "won't get any more messages"),
    ("en", "Stop messaging me!", "1", "won't get any more messages"),
    ("cy", "stopiwch", "ie", "DECHRAU"),
    ("cy", "paid ag anfon negeseuon", "ydw", "DECHRAU"),
])
def test_opt_out_in_words_asks_once_then_opts_out(bot, language, said, yes, stopped):
    bot.speaking(language)
    bot.send(said).expect("START" if language == "en" else "DECHRAU", options=True).expect_lang(language)
    assert bot.person().opted_out is False
    bot.send(yes).expect(stopped).expect_lang(language)
    assert bot.person().opted_out is True
    bot.send("hello").expect_nothing()


@pytest.mark.parametrize("language, said, no, kept", [("en", "stop texting me", "no", "carry on"),
                                                      ("cy", "stopiwch", "na", "parhau")])
def test_saying_no_keeps_the_conversation_where_it_was(bot, language, said, no, kept):
    start_referral(bot, language)
    bot.send(said)
    bot.send(no).expect(kept).expect_lang(language)
    assert bot.person().opted_out is False
    assert bot.conversation().flow == "referral" and bot.conversation().state["step"] == "what_matters"


@pytest.mark.parametrize("language, word, complain", [("en", "PRIVACY", "Information Commissioner"),
                                                       ("cy", "PREIFATRWYDD", "Comisiynydd Gwybodaeth")])
def test_privacy_from_the_menu_names_the_controller_retention_rights_and_the_ico(bot, language, word, complain):
    bot.speaking(language)
    bot.send(word).expect("Cyswllt (example health board)", "dpo@example.org", "90", complain,
                          "ico.org.uk").expect_lang(language)
    assert bot.conversation().flow == "menu"


def test_privacy_in_the_middle_of_a_check_in_asks_the_item_again(bot):
    bot.speaking("en")
    bot.send("CHECKIN")
    bot.send("yes")
    bot.send("privacy").expect("dpo@example.org", "(1/15)")


def test_privacy_at_first_contact_is_in_both_languages(bot):
    bot.send("privacy").expect("Comisiynydd Gwybodaeth", "Information Commissioner", "Cymraeg", "English")
