"""The Active Offer (Standard Six): Welsh first, unasked; the choice remembered and used."""
from __future__ import annotations

import pytest

from bot.bootstrap import build_app
from storage.models import DataSetEvent
from tests.support.conversation import ConversationDriver


def test_first_message_gets_one_bilingual_offer_with_welsh_first(bot):
    reply = bot.send("Helo")
    assert len(reply.messages) == 1
    reply.expect("Ym mha iaith", "Which language", before="Which language")
    reply.expect("1 Cymraeg", "2 English", before="2 English")


def test_choosing_english_by_number_continues_in_english(bot):
    bot.send("Helo")
    bot.send("2").expect("continue in English").expect_lang("en")
    bot.send("hi").expect_lang("en")


def test_choosing_welsh_by_number_continues_in_welsh(bot):
    bot.send("Helo")
    bot.send("1").expect("parhau yn Gymraeg").expect_lang("cy")


@pytest.mark.parametrize("answer, language", [
    ("Cymraeg", "cy"), ("cymraeg", "cy"), ("CYMRAEG", "cy"), ("Cymraig", "cy"), ("Welsh", "cy"),
    ("English", "en"), ("englsh", "en"), ("Saesneg", "en"), ("saesnag", "en"), ("english.", "en"),
])
def test_choosing_by_word_with_typos_and_any_case(bot, answer, language):
    bot.send("Helo")
    bot.send(answer).expect_lang(language)
    assert bot.person().language == language


def test_telegram_buttons_choose_the_language(telegram_bot):
    telegram_bot.send("/start").expect("[1] Cymraeg  [2] English")
    telegram_bot.press("cy").expect_lang("cy")


def test_a_first_message_in_welsh_is_answered_in_welsh(bot):
    reply = bot.send("Shwmae, dw i eisiau help")
    reply.expect("Byddwn ni'n parhau yn Gymraeg").expect_lang("cy")
    person = bot.person()
    assert person.language == "cy" and person.language_recorded_at is not None


def test_the_choice_and_its_time_are_stored_with_statement_13(bot, clock):
    bot.send("Helo")
    bot.send("2")
    person = bot.person()
    assert person.language == "en"
    assert person.language_recorded_at == clock.now()
    events = bot.rows(DataSetEvent, statement=13)
    assert [e.value for e in events] == [{"language": "en", "how": "chose"}]


def test_the_choice_survives_a_restart(bot, settings, clock):
    bot.send("Helo")
    bot.send("1")
    bot.app.close()
    restarted = build_app(settings, clock=clock)
    try:
        ConversationDriver(restarted, "sms", bot.address).send("helo eto").expect_lang("cy")
    finally:
        restarted.close()


@pytest.mark.parametrize("switch, language, confirmation", [
    ("English", "en", "we'll use English"), ("/english", "en", "we'll use English"),
    ("Cymraeg", "cy", "siarad Cymraeg"), ("/cymraeg", "cy", "siarad Cymraeg"),
])
def test_switching_language_at_any_time(bot, switch, language, confirmation):
    start = "1" if language == "en" else "2"
    bot.send("Helo")
    bot.send(start)
    bot.send(switch).expect(confirmation).expect_lang(language)
    bot.send("thing").expect_lang(language)
    assert [e.value["how"] for e in bot.rows(DataSetEvent, statement=13)] == ["chose", "switched"]


def test_an_unclear_answer_to_the_offer_asks_again_in_both_languages(bot):
    bot.send("Helo")
    bot.send("maybe").expect("wnes i ddim deall", "didn't understand", "1 Cymraeg", "2 English")
    assert bot.person().language is None
    bot.send("2").expect_lang("en")


def test_what_the_first_message_asked_for_is_kept_through_the_offer(bot):
    bot.send("Helo")
    state = bot.conversation().state
    assert state["step"] == "choose"
    assert "first_intent" in state


def test_a_first_message_that_is_a_search_is_answered_after_the_offer_without_retyping(bot):
    bot.send("any walking groups near CF47 8AA?").expect("Which language")
    bot.send("2").expect("continue in English", "near CF47 8AA")


def test_a_first_search_written_in_welsh_is_answered_in_welsh_at_once(bot):
    bot.send("Oes grwpiau cerdded yn Aberystwyth?").expect_lang("cy").expect("Aberystwyth")
