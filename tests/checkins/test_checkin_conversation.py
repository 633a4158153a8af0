"""A check-in as people have it: started by keyword or menu, messy answers, skips, pauses, restarts, STOP."""
from __future__ import annotations

import pytest

from bot.bootstrap import build_app
from storage.models import Checkin, CheckinAnswer, Consent, InboundMessage, OutboundMessage
from tests.support.conversation import ConversationDriver
from tests.support.instruments import ask_all_three

FIRST_ITEM = "(1/15) Overall, how satisfied are you with your life nowadays?"


@pytest.fixture
def settings(settings):
    # These tests walk the three original instruments item by item. By default a check-in a person
    # starts, and every interim wave, asks ONS-4 alone, and baseline adds social well-being
    # (tests/table2/test_waves.py): here every check-in asks the three, as these tests were written.
    return ask_all_three(settings)



def started(bot, keyword: str = "CHECKIN"):
    """Take the Active Offer in English, start a check-in and agree to consent."""
    bot.speaking("en")
    bot.send(keyword).expect_key("consent.question", lang="en")
    return bot.send("yes").expect_key("checkin.starting", before="q.ons4.life_satisfaction").expect_key(
        "checkin.starting", count=15).expect_key("q.ons4.life_satisfaction", number=1, total=15)


@pytest.mark.parametrize("keyword", ["CHECKIN", "checkin", "Check-in", "LLES", "lles", "/checkin"])
def test_the_keyword_starts_a_check_in_in_any_case_after_consent(bot, keyword):
    started(bot, keyword)
    assert [c.given for c in bot.rows(Consent)] == [True]
    assert [c.wave for c in bot.rows(Checkin)] == ["baseline", "week6", "week12"]
    assert bot.rows(Checkin)[0].status == "in_progress"


def test_the_keyword_works_in_the_middle_of_another_flow_and_from_the_menu(bot):
    bot.speaking("en")
    bot.send("MENU").expect_key(choices=('referral', 'asset_search', 'checkin', 'language'))
    menu = bot.conversation().pending_options
    number = next(i for i, o in enumerate(menu, 1) if o["value"] == "checkin")
    bot.send(str(number)).expect_key("consent.question", lang="en")       # consent first, from the menu too
    bot.send("lles").expect_key("consent.question", lang="en")            # in the consent flow, the keyword still starts it
    bot.send("1").expect_key("q.ons4.life_satisfaction", number=1, total=15)


def test_a_person_who_declines_consent_is_not_asked_anything(bot):
    bot.speaking("en")
    bot.send("CHECKIN")
    bot.send("no").expect_key("consent.declined", lang="en").expect(absent=("(1/15)",))
    assert bot.rows(Checkin) == []


def test_messy_answers_are_read_or_explained_once_then_asked_again(bot):
    started(bot)
    bot.send("seven out of ten").expect_key("q.ons4.worthwhile", number=2, total=15)
    bot.send("banana").expect_key("q.ons4.scale.zero_to_ten.help", lang="en").expect_key("q.ons4.worthwhile", number=2, total=15)
    bot.send("still banana").expect_key("checkin.not_understood", lang="en",
                                        absent=("q.ons4.scale.zero_to_ten.help",)).expect_key(
        "q.ons4.worthwhile", number=2, total=15)
    bot.send("12").expect_key("conversation.scale_out_of_range", value=12).expect_key("q.ons4.worthwhile", number=2, total=15)   # out of range: not clamped to 10
    bot.send("about 6").expect_key("q.ons4.happiness", number=3, total=15)
    bot.send("skip").expect_key("q.ons4.anxiety", number=4, total=15)
    # On SMS the skip and prefer-not words were given at the start: no option lines for them.
    bot.send("I'd rather not say").expect_key("q.ons_loneliness.lack_companionship", number=5, total=15, choices=('1', '2', '3'))
    bot.send("some of the time").expect_key("q.ons_loneliness.left_out", number=6, total=15)        # the option's words
    bot.send("3").expect_key("q.ons_loneliness.isolated", number=7, total=15)                        # its number
    bot.send("Often").expect_key("q.ons_loneliness.direct", number=8, total=15)
    bot.send("9").expect_key("conversation.scale_out_of_range", value=9, low=1, high=5).expect_key("q.ons_loneliness.direct", number=8, total=15)   # not on this list
    answers = {(a.questionnaire, a.item): (a.value, a.status) for a in bot.rows(CheckinAnswer)}
    assert answers == {
        ("ons4", "life_satisfaction"): (7, "answered"), ("ons4", "worthwhile"): (6, "answered"),
        ("ons4", "happiness"): (None, "skipped"), ("ons4", "anxiety"): (None, "declined"),
        ("ons_loneliness", "lack_companionship"): (2, "answered"), ("ons_loneliness", "left_out"): (3, "answered"),
        ("ons_loneliness", "isolated"): (3, "answered"),
    }


@pytest.mark.parametrize("text", ["", "😀😀", "x" * 5000, "\x00\x07\x1b[31m", "7\u200b", "   "])
def test_bad_input_inside_a_check_in_never_crashes(bot, text):
    started(bot)
    assert bot.send(text).messages
    assert bot.rows(InboundMessage, status="failed") == []
    assert bot.conversation().flow == "checkin"


def test_later_pauses_and_checkin_resumes_where_it_stopped(bot):
    started(bot)
    bot.send("5")
    bot.send("later").expect_key("checkin.paused", lang="en")
    bot.send("CHECKIN").expect_key("checkin.resuming", lang="en", left=14).expect_key("q.ons4.worthwhile", number=2, total=15)


def test_a_check_in_resumes_after_a_restart(bot, settings, clock):
    started(bot)
    bot.send("5")
    bot.send("6")
    bot.app.close()
    restarted = build_app(settings, clock=clock)   # a new process on the same database
    try:
        again = ConversationDriver(restarted, bot.channel, bot.address)
        again.send("8").expect_key("q.ons4.anxiety", number=4, total=15)
        again.send("CHECKIN").expect_key("checkin.resuming", lang="en", left=12).expect_key("q.ons4.anxiety", number=4, total=15)
    finally:
        restarted.close()


def test_stop_in_the_middle_pauses_the_check_in_and_start_picks_it_up(bot):
    started(bot)
    bot.send("5")
    bot.send("STOP").expect_key("optout.confirmed", lang="en")
    # Paused, not cancelled (issue 20): nothing goes out while they are opted out.
    assert {c.wave: c.status for c in bot.rows(Checkin)} == {
        "baseline": "in_progress", "week6": "planned", "week12": "planned"}
    bot.send("4").expect_nothing()
    assert len(bot.rows(CheckinAnswer)) == 1
    bot.advance("1d").expect_nothing()
    assert not [m for m in bot.rows(OutboundMessage) if m.status == "queued"]
    bot.send("START").expect_key("conversation.checkins_resumed", lang="en").expect_key("q.ons4.worthwhile", number=2, total=15)
    bot.send("4").expect_key("q.ons4.happiness", number=3, total=15)


def test_a_risk_disclosure_inside_a_check_in_goes_to_the_safeguarding_screen(bot):
    started(bot)
    bot.send("I want to hurt myself").expect("116 123", absent=("(2/15)",))
    assert bot.rows(CheckinAnswer) == []                 # not mistaken for an answer
    assert bot.conversation().paused, "the check-in is set aside, not lost"
    bot.send("7").expect(options=True)                   # asked gently whether to carry on
    bot.press("continue").expect_key("q.ons4.life_satisfaction", number=1, total=15)               # the check-in is still there afterwards
    bot.send("7").expect_key("q.ons4.worthwhile", number=2, total=15)


def test_welsh_on_telegram_with_buttons_and_welsh_words(telegram_bot):
    bot = telegram_bot
    bot.speaking("cy")
    bot.send("LLES").expect_key("consent.question", lang="cy", options=True)
    first = bot.send("ydw").expect_lang("cy").expect_key("checkin.starting", count=15).expect_key("q.ons4.life_satisfaction", number=1, total=15)
    assert [o["value"] for o in first.options] == [str(n) for n in range(11)]
    bot.press("7").expect_key("q.ons4.worthwhile", number=2, total=15)
    bot.send("saith allan o ddeg").expect_key("q.ons4.happiness", number=3, total=15)
    bot.send("tua chwech").expect_key("q.ons4.anxiety", number=4, total=15)
    bot.send("hepgor").expect_key("q.ons_loneliness.lack_companionship", number=5, total=15, choices=('1', '2', '3', 'skip', 'decline'))
    bot.press("decline").expect_key("q.ons_loneliness.left_out", number=6, total=15)
    answers = [(a.item, a.value, a.status) for a in bot.rows(CheckinAnswer)]
    assert answers == [("life_satisfaction", 7, "answered"), ("worthwhile", 7, "answered"),
                       ("happiness", 6, "answered"), ("anxiety", None, "skipped"),
                       ("lack_companionship", None, "declined")]
