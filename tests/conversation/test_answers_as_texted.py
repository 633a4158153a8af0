"""Answers as people really text them, in Welsh and English (issue 20 items 1, 2, 5 and 7)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from flows.base import Text
from flows.picks import read_picks
from flows.referral import THEMES, THEME_WORDS, WHEN_WORDS, CONTACT_WHEN
from flows.yes_no import read_yes_no
from storage.models import CheckinAnswer, ErasureRequest, Referral
from tests.support.referral import start_referral
from tests.support.instruments import ask_all_three


@pytest.fixture
def settings(settings):
    # These tests walk the three original instruments (15 items): a check-in a person starts asks
    # ONS-4 alone by default (tests/table2/test_waves.py).
    return ask_all_three(settings)


# ---------------------------------------------------------------- numbers and words together

@pytest.mark.parametrize("answer, picked", [
    ("1 a 4, hefyd bod allan yn yr awyr agored", ("lonely", "money", "outdoors")),
    ("3 and 2, mental health mostly", ("active", "mental")),
    ("1,4", ("lonely", "money")),
    ("money and 9", ("money", "outdoors")),
])
def test_numbers_mixed_with_words_keep_both(answer, picked):
    assert read_picks(Text(answer), THEMES, THEME_WORDS) == picked


@pytest.mark.parametrize("answer", ["12/03/1961", "1 4 12", "0"])
def test_numbers_alone_with_one_off_the_list_are_asked_again_not_half_kept(answer):
    assert read_picks(Text(answer), THEMES, THEME_WORDS) == ()


@hypothesis_settings(max_examples=300, deadline=None)
@given(numbers=st.lists(st.integers(1, len(THEMES)), min_size=1, max_size=4),
       words=st.lists(st.sampled_from(["and", "a", "hefyd", "also", "mental", "bod allan", "money", ",", "&",
                                       "dw i'n meddwl", "please", "nos", "am", "x", "😀", "-"]), max_size=5),
       joiners=st.sampled_from([" ", ", ", " a ", " and ", "/", ";", "+"]))
def test_no_answer_loses_a_number_the_person_typed(numbers, words, joiners):
    text = joiners.join([*map(str, numbers), *words])
    picked = read_picks(Text(text), THEMES, THEME_WORDS)
    for number in numbers:
        assert THEMES[number - 1].value in picked, (text, picked)


@pytest.mark.parametrize("answer, when", [
    ("nos, am saith", "evening"), ("Nos", "evening"), ("gyda'r nos", "evening"), ("am 7 yn y bore", "morning"),
    ("prynhawn, plis", "afternoon"), ("in the morning", "morning"), ("evenings after work", "evening"),
    ("pryd bynnag", "any"), ("any time", "any"),
])
def test_times_of_day_as_people_say_them(answer, when):
    assert read_picks(Text(answer), CONTACT_WHEN, WHEN_WORDS) == (when,)


def test_nos_am_saith_is_stored_as_evening_in_the_conversation(bot):
    start_referral(bot, "cy")
    for _ in range(20):
        if bot.conversation().state["step"] == "contact_when":
            break
        bot.press("skip")
    bot.send("nos, am saith").expect_key("referral.route", lang="cy").expect_lang("cy")
    assert bot.conversation().state["contact_when"] == "evening"


def test_a_typed_pick_is_echoed_and_moves_on_in_english(bot):
    start_referral(bot, "en")
    bot.send("skip")
    bot.send("3 and 2, mental health mostly").expect_key(
        "conversation.picked", picked=["referral.theme_active", "referral.theme_mental"]).expect_key("referral.reasons")
    assert bot.conversation().state["themes"] == ["active", "mental"]


def test_a_typed_pick_is_echoed_and_moves_on_in_welsh(bot):
    start_referral(bot, "cy")
    bot.send("hepgor")
    bot.send("1 a 4, hefyd bod allan yn yr awyr agored").expect_key("conversation.picked", lang="cy").expect_lang("cy")
    assert bot.conversation().state["themes"] == ["lonely", "money", "outdoors"]


@pytest.mark.parametrize("language, got, first, both", [
    ("en", "Got:", "Feeling less alone.", "Feeling less alone, Money and benefits."),
    ("cy", "Wedi nodi:", "Teimlo'n llai unig.", "Teimlo'n llai unig, Arian a budd-daliadau."),
])
def test_a_button_pick_on_telegram_says_what_is_chosen_so_far(telegram_bot, language, got, first, both):
    start_referral(telegram_bot, language)
    telegram_bot.press("skip")
    telegram_bot.press("lonely").expect(f"{got} {first}").expect_lang(language)   # the list stays open
    telegram_bot.press("money").expect(f"{got} {both}")
    assert telegram_bot.conversation().state["step"] == "themes"
    assert telegram_bot.conversation().state["themes"] == ["lonely", "money"]


def test_one_number_on_sms_moves_on_like_several(bot):
    start_referral(bot, "en")
    bot.send("skip")
    bot.send("4").expect_key(
        "conversation.picked", picked=["referral.theme_money"]).expect_key("referral.reasons", lang="en")


# ---------------------------------------------------------------- yes and no, everywhere alike

@pytest.mark.parametrize("answer, meaning", [
    ("Ydy", True), ("Nac ydy", False), ("Ydw", True), ("Nac ydw", False), ("Oes", True), ("Nac oes", False),
    ("Do", True), ("Naddo", False), ("Hoffwn", True), ("Na hoffwn", False), ("ydy, diolch", True),
    ("yes please", True), ("no thanks", False), ("Yep!", True), ("nope", False), ("maybe", None),
])
def test_yes_and_no_in_both_languages(answer, meaning):
    assert read_yes_no(Text(answer)) is meaning


@pytest.mark.parametrize("language, ask, yes", [("en", "Please delete my data", "yes"),
                                                 ("cy", "Dileu fy nata", "ydw")])
def test_yes_in_words_confirms_erasure(bot, language, ask, yes):
    bot.speaking(language)
    bot.send(ask)
    bot.send(yes).expect_lang(language)
    assert [r.status for r in bot.rows(ErasureRequest)] == ["pending"]


# ---------------------------------------------------------------- scales

def _to_loneliness(bot):
    bot.speaking("en")
    bot.send("CHECKIN")
    bot.send("yes")
    for answer in ("7", "7", "7", "3"):
        bot.send(answer)


def test_frequency_words_are_read_on_the_loneliness_scales(bot):
    _to_loneliness(bot)
    bot.send("hardly ever").expect_key("q.ons_loneliness.left_out", number=6, total=15)
    bot.send("sometimes").expect_key("q.ons_loneliness.isolated", number=7, total=15)
    bot.send("weithiau").expect_key("q.ons_loneliness.direct", number=8, total=15)
    bot.send("prin byth").expect_key("q.swemwbs.optimistic", number=9, total=15)
    answers = {a.item: a.value for a in bot.rows(CheckinAnswer) if a.questionnaire == "ons_loneliness"}
    assert answers == {"lack_companionship": 1, "left_out": 2, "isolated": 2, "direct": 4}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_eleven_on_a_zero_to_ten_scale_says_what_the_scale_is(bot, language):
    bot.speaking(language)
    bot.send("CHECKIN" if language == "en" else "LLES")
    bot.send("yes" if language == "en" else "ydw")
    bot.send("11").expect_key("conversation.scale_out_of_range", lang=language, value=11, low=0, high=10).expect_key(
        "q.ons4.life_satisfaction", number=1, total=15)
    assert bot.rows(CheckinAnswer) == []


# ---------------------------------------------------------------- back

@pytest.mark.parametrize("language, back", [("en", "BACK"), ("cy", "NÔL"), ("cy", "nol"), ("en", "back")])
def test_back_asks_the_question_before_with_its_answer_open(bot, language, back):
    start_referral(bot, language)
    bot.send("Walking with friends")
    bot.send(back).expect_lang(language)
    assert bot.conversation().state["step"] == "what_matters"
    bot.send(back)
    assert bot.conversation().state["step"] == "what_matters"   # the first question: nothing before it
    bot.send("Walking, mostly")
    assert bot.conversation().state["what_matters"] == "Walking, mostly"
    assert bot.rows(Referral)[0].status == "draft"
