"""`cyswllt telegram set-webhook`, and the channel settings' environment names."""
from __future__ import annotations

import json

from bot.cli import main as cyswllt
from bot.settings import load_settings
from tests.support.fake_telegram import TOKEN, FakeTelegram


def test_set_webhook_registers_the_public_url_and_the_secret(monkeypatch, capsys):
    fake = FakeTelegram()
    try:
        monkeypatch.setenv("CYSWLLT_TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("CYSWLLT_TELEGRAM_SECRET", "the-secret")
        monkeypatch.setenv("CYSWLLT_TELEGRAM_API_BASE", fake.api_base)
        monkeypatch.setenv("CYSWLLT_PUBLIC_BASE_URL", "https://cyswllt.example.cymru/")
        assert cyswllt(["telegram", "set-webhook"]) == 0
        [webhook] = fake.webhooks
        assert webhook["url"] == "https://cyswllt.example.cymru/telegram/webhook"
        assert webhook["secret_token"] == "the-secret"
        assert json.loads(webhook["allowed_updates"]) == ["message", "edited_message", "callback_query"]
        assert cyswllt(["telegram", "delete-webhook"]) == 0
    finally:
        fake.close()


def test_set_webhook_without_a_secret_or_public_url_names_the_setting(monkeypatch, capsys):
    monkeypatch.setenv("CYSWLLT_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("CYSWLLT_TELEGRAM_API_BASE", "http://127.0.0.1:9/bot")   # never the real API
    monkeypatch.delenv("CYSWLLT_PUBLIC_BASE_URL", raising=False)
    assert cyswllt(["telegram", "set-webhook"]) == 2
    assert "CYSWLLT_PUBLIC_BASE_URL" in capsys.readouterr().err
    monkeypatch.setenv("CYSWLLT_PUBLIC_BASE_URL", "https://cyswllt.example.cymru")
    monkeypatch.delenv("CYSWLLT_TELEGRAM_SECRET", raising=False)
    assert cyswllt(["telegram", "set-webhook"]) == 2
    assert "CYSWLLT_TELEGRAM_SECRET" in capsys.readouterr().err


def test_channel_settings_come_from_the_documented_environment_names():
    settings = load_settings(environ={
        "CYSWLLT_PUBLIC_BASE_URL": "https://bot.example.cymru",
        "CYSWLLT_TELEGRAM_TOKEN": "1:a", "CYSWLLT_TELEGRAM_SECRET": "s",
        "CYSWLLT_TELEGRAM_API_BASE": "http://127.0.0.1:9/bot",
        "CYSWLLT_TWILIO_ACCOUNT_SID": "AC1", "CYSWLLT_TWILIO_AUTH_TOKEN": "t",
        "CYSWLLT_TWILIO_MESSAGING_SERVICE_SID": "MG1", "CYSWLLT_TWILIO_API_BASE": "http://127.0.0.1:9",
        "CYSWLLT_SENDER_TELEGRAM_PER_SECOND": "25", "CYSWLLT_SENDER_TWILIO_SEGMENTS_PER_SECOND": "3",
        "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_BURST": "2",
    })
    assert settings.telegram.secret.get_secret_value() == "s" and settings.telegram.api_base == "http://127.0.0.1:9/bot"
    assert settings.twilio.messaging_service_sid == "MG1" and settings.twilio.api_base == "http://127.0.0.1:9"
    assert settings.sender.telegram_per_second == 25 and settings.sender.twilio_segments_per_second == 3
    assert settings.sender.telegram_per_chat_burst == 2


def test_serve_refuses_polling_without_a_token(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("CYSWLLT_TELEGRAM_TOKEN", raising=False)
    url = f"sqlite:///{tmp_path}/x.sqlite3"
    assert cyswllt(["serve", "--telegram-polling", "--db", url]) == 2
    printed = capsys.readouterr()
    assert "CYSWLLT_TELEGRAM_TOKEN" in printed.out + printed.err
