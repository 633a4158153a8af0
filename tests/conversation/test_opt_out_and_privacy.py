"""Opt-out in words with one confirmation, and PRIVACY / PREIFATRWYDD from anywhere (issue 20 items 9, 10)."""
from __future__ import annotations

import pytest

from tests.support.referral import start_referral
from tests.support.instruments import ask_all_three


@pytest.fixture
def settings(settings):
    # These tests walk the three original instruments (15 items): a check-in a person starts asks
    # ONS-4 alone by default (tests/table2/test_waves.py).
    return ask_all_three(settings)


@pytest.mark.parametrize("language, said, yes", [
    ("en", "please stop texting me", "yes"),
    ("en", "Stop messaging me!", "1"),
    ("cy", "stopiwch", "ie"),
    ("cy", "paid ag anfon negeseuon", "ydw"),
])
def test_opt_out_in_words_asks_once_then_opts_out(bot, language, said, yes):
    bot.speaking(language)
    bot.send(said).expect_key("conversation.opt_out_confirm", lang=language, options=True).expect_lang(language)
    assert bot.person().opted_out is False
    bot.send(yes).expect_key("optout.confirmed", lang=language).expect_lang(language)
    assert bot.person().opted_out is True
    bot.send("hello").expect_nothing()


@pytest.mark.parametrize("language, said, no", [("en", "stop texting me", "no"), ("cy", "stopiwch", "na")])
def test_saying_no_keeps_the_conversation_where_it_was(bot, language, said, no):
    start_referral(bot, language)
    bot.send(said)
    bot.send(no).expect_key("conversation.opt_out_kept", lang=language).expect_lang(language)
    assert bot.person().opted_out is False
    assert bot.conversation().flow == "referral" and bot.conversation().state["step"] == "what_matters"


@pytest.mark.parametrize("language, word", [("en", "PRIVACY"), ("cy", "PREIFATRWYDD")])
def test_privacy_from_the_menu_names_the_controller_retention_rights_and_the_ico(bot, language, word):
    bot.speaking(language)
    # The notice (the ICO, rights) is the catalog's; the controller, contact and retention are settings.
    bot.send(word).expect_key("consent.privacy_notice", lang=language).expect(
        "Cyswllt (example health board)", "dpo@example.org", "90")
    assert bot.conversation().flow == "menu"


def test_privacy_in_the_middle_of_a_check_in_asks_the_item_again(bot):
    bot.speaking("en")
    bot.send("CHECKIN")
    bot.send("yes")
    bot.send("privacy").expect_key("consent.privacy_notice", before="q.ons4.life_satisfaction").expect_key(
        "q.ons4.life_satisfaction", number=1, total=15)


def test_privacy_at_first_contact_is_in_both_languages(bot):
    bot.send("privacy").expect_key("consent.privacy_notice", lang="cy+en", choices=('cy', 'en'))
