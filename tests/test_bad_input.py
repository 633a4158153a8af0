"""Bad input gets a kind reply, the conversation goes on, and nothing stored is lost."""
from __future__ import annotations

import pytest

from bot.messages import storable_text
from storage.models import InboundMessage, Person


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", None])
def test_an_empty_message_gets_a_kind_reply_and_the_question_again(bot, text):
    bot.speaking("en")
    bot.send(text).expect_key("common.empty_message", "menu.prompt", lang="en")


@pytest.mark.parametrize("text", [
    "😀😀😀", "👍", "x" * 5000, "hello\x00\x07\x1b[31m world", "'; DROP TABLE person; --",
    "Robert'); DELETE FROM inbound_message;--", "\u202e\u200bstop", "ŵŷâ" * 100,
])
def test_odd_messages_get_a_reply_and_nothing_is_lost(bot, text):
    bot.speaking("en")
    bot.send(text).expect_lang("en")
    bot.send("menu").expect_key("menu.prompt", lang="en")
    stored = [row.text for row in bot.rows(InboundMessage)]
    assert storable_text(text) in stored, "the message must be kept as sent (NUL aside)"
    assert len(bot.rows(Person)) == 1


def test_odd_first_messages_still_get_the_offer(bot):
    bot.send("😀").expect_key(choices=('cy', 'en'))
    bot.send("2").expect_lang("en")


def test_a_redelivered_message_is_handled_once(bot):
    bot.speaking("en")
    first = bot.send("menu", provider_id="SM123")
    again = bot.send("menu", provider_id="SM123")
    first.expect_key("menu.prompt", lang="en")
    again.expect_nothing()
    assert len(bot.rows(InboundMessage, provider_id="SM123")) == 1


def test_a_turn_that_fails_keeps_the_message_and_apologises(bot, monkeypatch):
    bot.speaking("en")
    flows = bot.app.dispatcher.flows

    def broken_step(state, event, ctx):
        raise RuntimeError("a bug in a flow")

    monkeypatch.setitem(flows, "menu", flows["menu"].__class__(
        **{**flows["menu"].__dict__, "step": broken_step}))
    bot.send("something").expect_key("common.error", lang="en").expect_lang("en")
    [row] = bot.rows(InboundMessage, text="something")
    assert row.status == "failed"


def test_a_long_welsh_message_keeps_its_diacritics(bot):
    bot.send("Helo")
    bot.send("1")
    text = "Dw i'n byw ger y gŵr sy'n canu yn y côr ar ŷd Llŷn " * 20
    bot.send(text)
    assert bot.rows(InboundMessage)[-1].text == text


@pytest.mark.parametrize("data", ["\x00", "menu\x00", "\x00\x07"])
def test_button_data_with_a_nul_is_answered_not_a_poison_message(bot, data):
    """Found by the property tests: on PostgreSQL a NUL in callback data failed the turn AND the
    failure record, so the webhook answered 503 and the provider would redeliver it forever."""
    bot.speaking("en")
    bot.press(data).expect_lang("en")
    stored = bot.rows(InboundMessage, address=bot.address)
    assert [row.status for row in stored] == ["processed"] * len(stored)


def test_a_deep_link_payload_with_a_nul_is_answered_not_a_poison_message(telegram_bot):
    telegram_bot.send("/start GP\x00W91234", payload="GP\x00W91234").expect_key(choices=('cy', 'en'))
    stored = telegram_bot.rows(InboundMessage, address=telegram_bot.address)
    assert [row.status for row in stored] == ["processed"]
