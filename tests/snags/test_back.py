"""BACK / NÔL in the check-in and in the activity search and booking, as in the referral."""
from __future__ import annotations

import pytest

from storage.models import AssetSignpost, Booking, CheckinAnswer

# What the person types (the replies are asserted by catalog key).
WORDS = {"en": {"keyword": "CHECKIN", "agree": "yes", "back": "BACK", "search": "walking group in Wrexham",
                "go": "I'd like to go", "day": "next Tuesday"},
         "cy": {"keyword": "LLES", "agree": "ydw", "back": "NÔL", "search": "grŵp cerdded yn Wrecsam",
                "go": "Hoffwn i fynd", "day": "dydd Mawrth nesaf"}}


def answers(bot) -> dict:
    return {(a.questionnaire, a.item): a.value for a in bot.rows(CheckinAnswer)}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_back_in_a_check_in_asks_the_item_before_and_the_new_answer_counts(bot, language):
    words = WORDS[language]
    bot.speaking(language)
    bot.send(words["keyword"])
    bot.send(words["agree"]).expect_key("q.ons4.life_satisfaction", number=1, total=4)
    bot.send(words["back"]).expect_key("conversation.back_at_first", lang=language).expect_key("q.ons4.life_satisfaction", number=1, total=4).expect_lang(language)
    bot.send("5").expect_key("q.ons4.worthwhile", number=2, total=4)
    bot.send("6").expect_key("q.ons4.happiness", number=3, total=4)
    bot.send(words["back"]).expect_key("q.ons4.worthwhile", number=2, total=4).expect(absent=("(3/4)",))
    bot.send("back" if language == "en" else "nol").expect_key("q.ons4.life_satisfaction", number=1, total=4)   # any case, with or without the hat
    bot.send("9").expect_key("q.ons4.worthwhile", number=2, total=4)
    bot.send("7").expect_key("q.ons4.happiness", number=3, total=4)
    assert sorted(answers(bot).values()) == [7, 9]                   # the 5 and the 6 were replaced
    bot.send("1")
    bot.send("2")
    assert sorted(answers(bot).values()) == [1, 2, 7, 9]


def test_back_after_a_resume_keeps_the_earlier_answers(bot):
    bot.speaking("en")
    bot.send("CHECKIN")
    bot.send("yes")
    bot.send("5")
    bot.send("later")
    bot.send("CHECKIN").expect_key("q.ons4.worthwhile", number=2, total=4)
    bot.send("BACK").expect_key("snags.checkin_back_earlier", lang="en").expect_key("q.ons4.worthwhile", number=2, total=4)
    assert list(answers(bot).values()) == [5]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_back_through_the_search_keeps_what_was_said(bot, language):
    words = WORDS[language]
    bot.speaking(language)
    bot.send(words["search"])
    bot.send("1").expect("Wrexham" if language == "en" else "Wrecsam")
    bot.send(words["back"]).expect("(1-1 o" if language == "cy" else "(1-1 of")     # details -> results
    bot.send(words["back"]).expect_key("assets.ask_where", lang=language)                                   # results -> where
    assert bot.conversation().state["query"]                                          # the subject is kept
    bot.send(words["back"]).expect_key("assets.ask_what", lang=language)                                    # where -> what
    bot.send(words["back"]).expect_key("conversation.back_at_first", "assets.ask_what", lang=language).expect_lang(language)
    assert bot.rows(AssetSignpost) == []


@pytest.mark.parametrize("language", ["en", "cy"])
def test_back_in_the_booking_asks_the_day_again_and_keeps_the_choice(bot, language):
    words = WORDS[language]
    bot.speaking(language)
    bot.send(words["search"])
    bot.send("1")
    bot.send(words["go"]).expect_key("assets.ask_when", lang=language)
    bot.send(words["back"]).expect_key("snags.back_after_choice", "assets.ask_when", lang=language)
    bot.send(words["day"]).expect_key("assets.ask_reminder", lang=language)
    bot.send(words["back"]).expect_key("assets.ask_when", lang=language)                                # reminder -> day
    assert bot.rows(Booking) == []
    bot.send(words["day"]).expect_key("assets.ask_reminder", lang=language)
    bot.send(words["agree"] if language == "cy" else "yes")
    assert len(bot.rows(Booking)) == 1
    assert len(bot.rows(AssetSignpost)) == 1                                          # chosen once


def test_back_from_the_filters_shows_the_results_again(bot):
    bot.speaking("en")
    bot.send("anything in Cardiff")
    bot.send("5").expect_key("assets.ask_filter", lang="en", choices=('f:welsh', 'f:free', 'f:wheelchair', 'f:indoors', 'f:outdoors', 'f:children', 'f:young', 'f:older', 'f:day', 'f:weekend', 'f:nearer', 'new'))   # 3 results, MORE, then "Narrow it down"
    bot.send("back").expect("(1-3 of 8)")
    assert bot.conversation().state["step"] == "results"
