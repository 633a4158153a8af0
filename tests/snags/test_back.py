"""BACK / NÔL in consent, the check-in (across a pause too) and the activity search and booking, as in the referral."""
from __future__ import annotations

import pytest

from storage.models import AssetSignpost, Booking, CheckinAnswer, Consent

WORDS = {"en": {"keyword": "CHECKIN", "agree": "yes", "back": "BACK", "first": "That's the first question",
                "search": "walking group in Wrexham", "go": "I'd like to go", "where": "Where?",
                "what": "What would you like to find", "ask_when": "which day you'll go",
                "kept": "is noted as your choice", "reminder": "reminder the day before", "day": "next Tuesday", "consent": "Do you agree?"},
         "cy": {"keyword": "LLES", "agree": "ydw", "back": "NÔL", "first": "Dyna'r cwestiwn cyntaf",
                "search": "grŵp cerdded yn Wrecsam", "go": "Hoffwn i fynd", "where": "Ble?",
                "what": "Beth hoffech chi ddod o hyd iddo", "ask_when": "pa ddiwrnod y byddwch chi'n mynd",
                "kept": "wedi'i nodi fel eich dewis", "reminder": "nodyn atgoffa'r diwrnod cynt",
                "day": "dydd Mawrth nesaf", "consent": "Ydych chi'n cytuno?"}}


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


@pytest.mark.parametrize("language", ["en", "cy"])
def test_back_after_a_pause_asks_the_item_before_and_the_new_answer_counts(bot, language):
    words = WORDS[language]
    bot.speaking(language)
    bot.send(words["keyword"])
    bot.send(words["agree"])
    bot.send("5").expect("(2/4)")
    bot.send("6").expect("(3/4)")
    bot.send("later" if language == "en" else "wedyn")
    bot.send(words["keyword"]).expect("(3/4)")                        # resumed where they stopped
    bot.send(words["back"]).expect("(2/4)", absent=("(3/4)",)).expect_lang(language)
    assert sorted(answers(bot).values()) == [5, 6]                    # nothing lost by going back
    bot.send(words["back"]).expect("(1/4)")                           # and back again, to the first
    bot.send(words["back"]).expect(words["first"], "(1/4)")
    bot.send("8").expect("(2/4)")
    bot.send("7").expect("(3/4)")
    assert sorted(answers(bot).values()) == [7, 8]                    # the 5 and the 6 were replaced


@pytest.mark.parametrize("language", ["en", "cy"])
def test_back_at_the_consent_question_says_it_is_the_first_and_asks_it_again(bot, language):
    words = WORDS[language]
    bot.speaking(language)
    bot.send(words["keyword"])
    assert bot.conversation().flow == "consent"
    bot.send(words["back"]).expect(words["first"], words["consent"]).expect_lang(language)
    assert bot.conversation().flow == "consent"
    assert bot.rows(Consent) == []                                    # nothing recorded either way
    bot.send(words["agree"]).expect("(1/4)")


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


def test_back_is_never_read_as_a_near_miss_of_the_option_no():
    from bot.choices import resolve_choice
    pending = [{"value": "yes", "labels": {"en": "Yes", "cy": "Ydw"}},
               {"value": "no", "labels": {"en": "No", "cy": "Nac ydw"}}]
    assert resolve_choice("NÔL", pending) is None          # 'nol' is within difflib's 0.8 of 'no'
    assert resolve_choice("nol", pending) is None
    assert resolve_choice("Noo", pending) == "no"          # a near miss that is not an answer word still is
    assert resolve_choice("Nac ydw", pending) == "no"
