"""The web path's cheaper pieces do what the library calls they replace did."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import random

import pytest

from bot.channels.base import Outgoing
from bot.channels.telegram.channel import TelegramChannel, keyboard, keyboard_json
from bot.channels.sms.channel import SIGNATURE_SETTINGS_HEADER, SignatureChecker, TwilioChannel
from bot.send_limits import Route, TokenBucket
from bot.sender import Sender
from bot.settings import load_settings
from bot.sms_segments import GSM_BASIC, GSM_EXTENDED, SmsSize, measure
from tests.support.fake_telegram import TOKEN
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, TwilioWebhooks

# ------------------------------------------------------------ Twilio signatures


def test_an_unknown_signature_algorithm_is_refused():
    webhooks = TwilioWebhooks()
    form = webhooks.sms("+447700900123", "Helo")
    headers = {**webhooks.sign("/twilio/sms", form), SIGNATURE_SETTINGS_HEADER: "algorithm=HMAC_MD5"}
    assert not SignatureChecker(AUTH_TOKEN, "https://cyswllt.example.cymru").valid("/twilio/sms", "", form, headers)


def test_the_signature_is_checked_as_the_library_checks_it():
    """SignatureChecker signs the URL as configured once, then asks validate() only if that fails."""
    from urllib.parse import parse_qsl, urlencode

    from twilio.request_validator import RequestValidator

    from bot.channels.twilio_api import Form

    webhooks, reference = TwilioWebhooks(), RequestValidator(AUTH_TOKEN)
    sha256 = {SIGNATURE_SETTINGS_HEADER: "key=k,algorithm=HMAC_SHA256"}
    for base in ("https://cyswllt.example.cymru", "https://cyswllt.example.cymru:443", "http://x.example:8080"):
        checker = SignatureChecker(AUTH_TOKEN, "https://cyswllt.example.cymru")
        for query in ("", "a=1&b=%C5%B5"):
            url = f"{base}/twilio/sms" + (f"?{query}" if query else "")
            form = webhooks.sms("+447700900123", "Helô ŵyr & ŷd")
            for settings, algorithm in (({}, None), (sha256, "HMAC_SHA256")):
                signed = {"X-Twilio-Signature": reference.compute_signature(url, form, algorithm), **settings}
                for signature in (signed, {**signed, "X-Twilio-Signature": "AAAA"}):
                    expected = reference.validate(
                        "https://cyswllt.example.cymru/twilio/sms" + (f"?{query}" if query else ""), form,
                        signature["X-Twilio-Signature"], algorithm)
                    assert checker.valid("/twilio/sms", query, form, signature) == expected
    # A field posted twice is signed with both values, as Twilio signs it.
    pairs = [*webhooks.sms("+447700900123", "Helo").items(), ("MediaUrl", "https://a"), ("MediaUrl", "https://b")]
    url = "https://cyswllt.example.cymru/twilio/sms"
    signed = url + "".join(name + value for name, value in sorted(pairs))   # Twilio's rule, by hand
    signature = base64.b64encode(hmac.new(AUTH_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()).decode()
    form = Form(parse_qsl(urlencode(pairs), keep_blank_values=True))
    assert form["MediaUrl"] == "https://b"
    assert SignatureChecker(AUTH_TOKEN, "https://cyswllt.example.cymru").valid(
        "/twilio/sms", "", form, {"X-Twilio-Signature": signature})


# ------------------------------------------------------------ SMS segments


def test_segments_are_counted_as_character_by_character():
    def reference(text: str) -> SmsSize:
        if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
            units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
            single, part, encoding = 160, 153, "GSM-7"
        else:
            units = len(text.encode("utf-16-le")) // 2
            single, part, encoding = 70, 67, "UCS-2"
        return SmsSize(encoding, units, (1 if units else 0) if units <= single else -(-units // part))

    rng = random.Random(7)
    gsm = sorted(GSM_BASIC | GSM_EXTENDED)
    others = list("âêîôûŵŷ’😀")
    for _ in range(500):
        text = "".join(rng.choice(others if rng.random() < 0.02 else gsm) for _ in range(rng.randint(0, 400)))
        assert measure(text) == reference(text)


# ------------------------------------------------------------ sending


def test_the_keyboard_json_is_the_keyboard_ptb_would_send():
    short = ({"value": "cy", "label": "Cymraeg"}, {"value": "en", "label": "English"})
    long = tuple({"value": str(n), "label": "Dod o hyd i weithgareddau lleol " * 3} for n in range(3))
    for options in (short, long):
        assert keyboard_json(options) == keyboard(options).to_dict()
    assert keyboard_json(()) is None


def _outgoing(address: str, body: str = "Shwmae", options: tuple = ()) -> Outgoing:
    return Outgoing(1, "sms", address, body, options)


def test_an_sms_is_sent_as_twilios_client_sent_it_and_errors_are_classified(fake_twilio):
    settings = load_settings(environ={
        "CYSWLLT_TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CYSWLLT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CYSWLLT_TWILIO_FROM": FROM, "CYSWLLT_PUBLIC_BASE_URL": "https://cyswllt.example.cymru"})
    settings.twilio.api_base = fake_twilio.api_base
    fake_twilio.number_errors["+447700900999"] = 21610

    async def scenario():
        channel = TwilioChannel(settings)
        await channel.start()
        try:
            sent = await channel.send(_outgoing("+447700900123", "Sut mae? Dyma ŵyr & ŷd",
                                                ({"value": "1", "label": "Ie"},)))
            blocked = await channel.send(_outgoing("+447700900999"))
            fake_twilio.fail_next(1, status=429)
            limited = await channel.send(_outgoing("+447700900123"))
            fake_twilio.fail_next(1, status=500)
            failed = await channel.send(_outgoing("+447700900123"))
            return sent, blocked, limited, failed
        finally:
            await channel.stop()

    sent, blocked, limited, failed = asyncio.run(scenario())
    [sms] = fake_twilio.to("+447700900123")
    assert (sent.kind, sent.provider_id, sent.provider_status) == ("sent", sms.sid, "queued")
    assert sms.body == TwilioChannel.render(_outgoing("", "Sut mae? Dyma ŵyr & ŷd", ({"value": "1", "label": "Ie"},)))
    assert sms.status_callback == "https://cyswllt.example.cymru/twilio/status"
    assert (blocked.kind, blocked.unreachable) == ("permanent", True) and "21610" in blocked.error
    assert limited.kind == "rate_limited" and failed.kind == "retry"


def test_a_telegram_text_is_sent_with_its_keyboard_and_errors_are_classified(fake_telegram):
    settings = load_settings(environ={"CYSWLLT_TELEGRAM_TOKEN": TOKEN})
    settings.telegram.api_base = fake_telegram.api_base
    fake_telegram.blocked.add("66")
    options = ({"value": "cy", "label": "Cymraeg"}, {"value": "en", "label": "English"})

    async def scenario():
        channel = TelegramChannel(settings, handle=None)
        await channel.start()
        try:
            sent = await channel.send(Outgoing(1, "telegram", "55", "Pa iaith?", options))
            blocked = await channel.send(Outgoing(2, "telegram", "66", "Helo"))
            fake_telegram.fail_next(1, status=429, retry_after=3)
            limited = await channel.send(Outgoing(3, "telegram", "55", "Helo"))
            return sent, blocked, limited
        finally:
            await channel.stop()

    sent, blocked, limited = asyncio.run(scenario())
    [message] = fake_telegram.to("55")
    assert sent.kind == "sent" and sent.provider_id is not None
    assert message.text == "Pa iaith?" and message.callback_values == ["cy", "en"]
    assert (blocked.kind, blocked.unreachable) == ("permanent", True)
    assert (limited.kind, limited.retry_after) == ("rate_limited", 3)


# ------------------------------------------------------------ a channel at its limit


def test_a_channel_at_its_limit_is_left_out_of_the_claim_until_it_reopens():
    now = 1000.0
    slow = Route("sms", object(), TokenBucket(1.0, 1.0, now))
    assert slow.reopens_in(now) == 0
    assert slow.allow("+447700900123", 1, now)
    assert slow.reopens_in(now) == pytest.approx(1.0)
    assert slow.reopens_in(now + 0.25) == pytest.approx(0.75)
    assert slow.reopens_in(now + 1.0) == 0
    slow.paused_until = now + 30
    assert slow.reopens_in(now + 1.0) == pytest.approx(29.0)

    settings = load_settings(environ={})
    fast = Route("telegram", object(), TokenBucket(30.0, 30.0))
    closed = Route("sms", object(), TokenBucket(1.0, 1.0))
    closed.overall.tokens = 0.0
    sender = Sender(sessions=None, clock=None, settings=settings, routes={"telegram": fast, "sms": closed})
    channels, closed_for = sender._open_channels()
    assert channels == ["telegram"] and 0 < closed_for <= 1.0
