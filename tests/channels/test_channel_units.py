"""Channel pieces on their own: Telegram keyboards and deep links, Twilio forms, rate limits."""
from __future__ import annotations

import asyncio


from bot.channels.telegram.channel import TelegramChannel, keyboard, secret_matches
from bot.channels.sms.channel import SignatureChecker, classify, inbound, lower_statuses
from bot.dispatcher import Handled
from bot.outbox import sms_segments
from bot.send_limits import Route, TokenBucket
from bot.settings import load_settings
from tests.support.fake_telegram import TOKEN, FakeTelegram, UpdateFactory
from tests.support.fake_twilio import AUTH_TOKEN, TwilioWebhooks


def test_options_become_inline_buttons_side_by_side_when_short():
    markup = keyboard(({"value": "cy", "label": "Cymraeg"}, {"value": "en", "label": "English"}))
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [["cy", "en"]]
    long = tuple({"value": str(n), "label": "Dod o hyd i weithgareddau lleol"} for n in range(3))
    assert len(keyboard(long).inline_keyboard) == 3
    assert keyboard(()) is None


def test_secret_comparison():
    assert secret_matches("abc", "abc")
    assert not secret_matches("abc", "abd")
    assert not secret_matches("abc", None)
    assert not secret_matches("", "")          # no secret configured: refuse everything


def test_start_with_a_deep_link_payload_reaches_the_dispatcher():
    fake = FakeTelegram()
    received = []

    async def handle(message):
        received.append(message)
        return Handled()

    settings = load_settings(environ={"CYSWLLT_TELEGRAM_TOKEN": TOKEN})
    settings.telegram.api_base = fake.api_base
    updates = UpdateFactory()

    async def scenario():
        channel = TelegramChannel(settings, handle)
        await channel.start()
        try:
            await channel.process(updates.text(55, "/start meddyg-teulu-42"))
            await channel.process(updates.text(55, "/help"))
            await channel.process(updates.button(55, "en"))
            group = updates.text(55, "hello")
            group["message"]["chat"]["type"] = "group"
            await channel.process(group)
        finally:
            await channel.stop()

    try:
        asyncio.run(scenario())
    finally:
        fake.close()
    assert [(m.text, m.payload, m.choice) for m in received] == [
        ("/start", "meddyg-teulu-42", None), ("/help", None, None), (None, None, "en"),
    ]
    assert {m.address for m in received} == {"55"}


def test_twilio_form_to_inbound_message():
    webhooks = TwilioWebhooks()
    message = inbound(webhooks.sms("+447700900123", "Shwmae", sid="SMabc"))
    assert (message.channel, message.address, message.text, message.provider_id) == (
        "sms", "+447700900123", "Shwmae", "SMabc")
    assert inbound({"Body": "no sid"}) is None
    assert inbound(webhooks.sms("+447700900123", "STOPIO", OptOutType="")).text == "STOPIO"
    assert inbound(webhooks.sms("+447700900123", "halt", OptOutType="STOP")).text == "STOP"


def test_signature_is_checked_against_the_public_url_with_query_and_default_port():
    checker = SignatureChecker(AUTH_TOKEN, "https://cyswllt.example.cymru/")
    webhooks = TwilioWebhooks()
    form = webhooks.sms("+447700900123", "Helo")
    headers = webhooks.sign("/twilio/sms", form)
    assert checker.valid("/twilio/sms", "", form, headers)
    assert not checker.valid("/twilio/status", "", form, headers)
    signed_with_port = webhooks.sign("/twilio/sms", form, base_url="https://cyswllt.example.cymru:443")
    assert checker.valid("/twilio/sms", "", form, signed_with_port)
    assert not SignatureChecker(AUTH_TOKEN, "").valid("/twilio/sms", "", form, headers)


def test_twilio_errors_are_classified():
    from twilio.base.exceptions import TwilioRestException

    def error(status, code):
        return classify(TwilioRestException(status, "uri", "msg", code))

    assert error(429, 20429).kind == "rate_limited"
    assert error(500, None).kind == "retry"
    assert error(503, 20503).kind == "retry"
    assert (error(400, 21610).kind, error(400, 21610).unreachable) == ("permanent", True)
    assert error(400, 21211).unreachable and error(400, 21614).unreachable
    assert (error(400, 21617).kind, error(400, 21617).unreachable) == ("permanent", False)
    assert "delivered" not in lower_statuses("delivered") and "sent" in lower_statuses("delivered")
    assert lower_statuses("queued") == ["accepted", "scheduled"]


def test_token_bucket_allows_a_burst_then_the_rate():
    bucket = TokenBucket(rate=1.0, capacity=3)
    start = bucket.updated
    assert [bucket.take(1, start) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(1, start + 0.5)
    assert bucket.take(1, start + 1.01)


def test_a_long_sms_may_go_through_a_slow_number_then_holds_the_next():
    bucket = TokenBucket(rate=1.0, capacity=1)
    t = bucket.updated
    assert bucket.take(3, t)            # a 3-segment message at 1 segment a second
    assert not bucket.take(1, t + 1.5)  # ...is paid for before anything else goes
    assert bucket.take(1, t + 3.1)


def test_per_chat_limit_and_overall_limit_together():
    route = Route("telegram", transport=None, overall=TokenBucket(30, 30), per_recipient_rate=1.0,
                  per_recipient_burst=3)
    now = route.overall.updated
    assert [route.allow("1", 1, now) for _ in range(4)] == [True, True, True, False]
    assert all(route.allow(str(chat), 1, now) for chat in range(2, 29))
    assert not route.allow("99", 1, now)           # 30 a second overall, whoever they are for
    route.pause(5)
    assert not route.allow("100", 1, now + 2)


def test_sms_segments_of_a_rendered_reply():
    assert sms_segments("Helo", ({"value": "cy", "label": "Cymraeg"},)) == 1
    assert sms_segments("ŵ" * 100, ()) == 2
