"""Channels as plug-ins: the registry, each channel's spec, and a channel registered by name alone."""
from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from bot.bootstrap import build_app
from bot.channels import registry
from bot.clock import SystemClock
from bot.config_check import check_settings
from bot.send_limits import routes_from_settings
from bot.settings import load_settings
from bot.web import create_web_app
from storage.models import OutboundMessage
from storage.rights import address_forms
from tests.support.live_server import LiveServer


def test_every_registered_channel_has_a_spec_of_its_name():
    assert list(registry.CHANNELS) == ["telegram", "sms", "whatsapp"]
    for name in registry.CHANNELS:
        spec = registry.spec(name)
        assert spec.name == name and spec.label
    assert registry.spec("console") is None
    assert [registry.label(n) for n in ("sms", "whatsapp", None)] == ["SMS", "WhatsApp", "-"]


def test_the_same_number_on_sms_and_whatsapp_is_one_person_and_telegram_has_no_number():
    assert registry.same_number("sms", "+447700900123") == [("whatsapp", "whatsapp:+447700900123")]
    assert registry.same_number("whatsapp", "whatsapp:+447700900123") == [("sms", "+447700900123")]
    assert registry.same_number("telegram", "123456") == []
    assert "whatsapp:+447700900123" in address_forms("07700 900123")   # erasure and access find it too


def test_each_channels_limits_reach_the_sender():
    settings = load_settings(environ={})
    settings.sender.instances = 2
    routes = routes_from_settings(settings, {"telegram": object(), "sms": object(), "whatsapp": object()})
    assert routes["telegram"].per_recipient_rate == settings.sender.telegram_per_chat_per_second / 2
    assert routes["sms"].joins_turns and not routes["whatsapp"].joins_turns
    assert routes["sms"].cost("ŵ" * 100, ()) == 2 and routes["whatsapp"].cost("ŵ" * 100, ()) == 1
    assert routes["whatsapp"].overall.rate == settings.whatsapp.per_second / 2


def test_whatsapp_settings_are_checked():
    base = {"CYSWLLT_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "CYSWLLT_TWILIO_AUTH_TOKEN": "t",
            "CYSWLLT_PUBLIC_BASE_URL": "https://cyswllt.example.cymru"}
    found = check_settings(load_settings(environ={**base, "CYSWLLT_TWILIO_WHATSAPP_FROM": "+447700900001"}))
    named = {(f.level, f.setting) for f in found}
    assert ("warning", "CYSWLLT_WHATSAPP_TEMPLATES") in named       # none registered: held outside the window
    assert ("error", "CYSWLLT_TWILIO_FROM") not in named            # WhatsApp alone needs no SMS number
    wrong = check_settings(load_settings(environ={**base, "CYSWLLT_TWILIO_WHATSAPP_FROM": "447700900001"}))
    assert ("error", "CYSWLLT_TWILIO_WHATSAPP_FROM") in {(f.level, f.setting) for f in wrong}
    missing = check_settings(load_settings(environ={"CYSWLLT_TWILIO_WHATSAPP_FROM": "whatsapp:+447700900001"}))
    assert {"CYSWLLT_TWILIO_ACCOUNT_SID", "CYSWLLT_TWILIO_AUTH_TOKEN", "CYSWLLT_PUBLIC_BASE_URL"} <= {
        f.setting for f in missing if f.level == "error"}


@pytest.fixture
def echo_registered(monkeypatch):
    monkeypatch.setitem(registry.CHANNELS, "echo", "tests.support.echo_channel")
    registry.spec.cache_clear()
    yield
    registry.spec.cache_clear()


def test_a_channel_registered_by_name_alone_is_mounted_answered_and_sent_to(echo_registered, settings):
    app = build_app(settings, clock=SystemClock())
    web = create_web_app(app)
    assert set(web.channels) == {"echo"}          # nothing else is configured in these settings
    server = LiveServer(web.starlette)
    try:
        response = httpx.post(f"{server.url}/echo", json={"from": "e1", "text": "Hello", "id": "m1"})
        assert response.status_code == 200
        deadline = time.monotonic() + 20
        while not web.channels["echo"].sent and time.monotonic() < deadline:
            time.sleep(0.02)
        [offer] = web.channels["echo"].sent
        assert "Croeso" in offer.body and [o["value"] for o in offer.options] == ["cy", "en"]
        assert httpx.get(f"{server.url}/healthz").json()["channels"] == ["echo"]
    finally:
        server.stop()
        with app.sessions() as session:
            assert session.scalar(select(OutboundMessage.status)) in ("sent", "sending")
        app.close()
