"""STOP/STOPIO, START/DECHRAU, HELP/CYMORTH and MENU/DEWISLEN work anywhere, in any case."""
from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import OutboundMessage


@pytest.mark.parametrize("word", ["STOP", "stop", "Stop.", "STOPIO", "stopio", "/stop"])
def test_stop_confirms_once_then_nothing_is_sent(bot, word):
    bot.speaking("en")
    bot.send(word).expect_key("optout.confirmed", lang="en")
    bot.send("hello?").expect_nothing()
    bot.send("help").expect_nothing()
    assert bot.person().opted_out is True


def test_stop_in_welsh_confirms_in_welsh(bot):
    bot.send("Helo")
    bot.send("1")
    bot.send("stopio").expect_key("optout.confirmed", lang="cy").expect_lang("cy")


def test_stop_before_choosing_a_language_confirms_in_both(bot):
    bot.send("STOP").expect_key("optout.confirmed", lang="cy+en").expect_lang("cy+en")


def test_messages_queued_before_stop_are_never_sent(bot, app, clock):
    bot.speaking("en")
    person = bot.person()
    with app.sessions.begin() as session:
        session.add(OutboundMessage(person_id=person.id, channel="sms", address=bot.address,
                                    body="a scheduled check-in", options=[], status="queued",
                                    created_at=clock.now(), not_before=clock.now() + timedelta(days=1)))
    bot.send("STOP")
    bot.advance("2d").expect_nothing()


def test_opt_out_is_checked_when_sending_not_only_when_queueing(bot, app, clock):
    bot.speaking("en")
    person = bot.person()
    with app.sessions.begin() as session:
        session.add(OutboundMessage(person_id=person.id, channel="sms", address=bot.address,
                                    body="queued before the opt-out", options=[], status="queued",
                                    created_at=clock.now(), not_before=clock.now()))
        session.get(type(person), person.id).opted_out = True
    bot.deliver().expect_nothing()
    assert [r.status for r in bot.rows(OutboundMessage, body="queued before the opt-out")] == ["suppressed"]


@pytest.mark.parametrize("word", ["START", "start", "DECHRAU", "Dechrau"])
def test_start_opts_back_in(bot, word):
    bot.speaking("en")
    bot.send("STOP")
    bot.send(word).expect_key("optout.welcome_back", "menu.prompt", lang="en")
    assert bot.person().opted_out is False
    bot.send("hello").expect_lang("en")


@pytest.mark.parametrize("word", ["HELP", "help", "Cymorth", "CYMORTH", "/help"])
def test_help_explains_and_asks_again_where_they_were(bot, word):
    bot.speaking("en")
    bot.send(word).expect_key("help.text", "menu.prompt", lang="en")


def test_help_before_a_language_is_chosen_is_bilingual_and_the_offer_follows(bot):
    bot.send("help").expect_key("help.text", lang="cy+en", choices=('cy', 'en'))


def test_help_during_the_offer_keeps_the_offer(bot):
    bot.send("Helo")
    bot.send("cymorth").expect_key("help.text", lang="cy+en", choices=('cy', 'en'))
    bot.send("1").expect_lang("cy")


@pytest.mark.parametrize("word", ["MENU", "menu", "DEWISLEN", "dewislen"])
def test_menu_lists_the_flows_that_exist(bot, word):
    bot.speaking("en")
    reply = bot.send(word).expect_key("menu.prompt", lang="en", choices=('referral', 'asset_search', 'checkin', 'language'), options=True)
    # Withdrawing consent is offered only once consent was given (none was here).
    assert [o["value"] for o in reply.options] == [o.value for o in bot.app.dispatcher._menu
                                                   if o.value != "withdraw_consent"]


def test_menu_option_changes_language(bot):
    bot.speaking("en")
    bot.send("menu")
    bot.send("Change language").expect_key(choices=('cy', 'en'))
    bot.send("1").expect_lang("cy")


@pytest.mark.parametrize("word", ["CANCEL", "end", "Quit", "UNSUBSCRIBE", "stopall"])
def test_twilios_opt_out_words_opt_out_on_sms(bot, word):
    bot.speaking("en")
    bot.send(word).expect_key("optout.confirmed", lang="en")
    assert bot.person().opted_out is True


@pytest.mark.parametrize("word", ["cancel", "end", "quit"])
def test_on_telegram_cancel_is_not_an_opt_out(telegram_bot, word):
    telegram_bot.speaking("en")
    telegram_bot.send(word).expect(absent=("won't get any more messages",))
    assert telegram_bot.person().opted_out is False
