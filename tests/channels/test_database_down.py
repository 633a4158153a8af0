"""With the database unreachable, webhooks answer 503 (the provider retries) and /healthz says so."""
from __future__ import annotations

import httpx

from bot.bootstrap import build_app
from bot.clock import SystemClock
from bot.web import create_web_app
from tests.channels.conftest import TELEGRAM_SECRET
from tests.support.fake_telegram import UpdateFactory
from tests.support.fake_twilio import TwilioWebhooks
from tests.support.live_server import LiveServer


def test_webhooks_answer_503_and_healthz_fails_when_the_database_is_unreachable(channel_settings):
    settings = channel_settings.model_copy(deep=True)
    settings.database.url = "postgresql://postgres@127.0.0.1:1/nowhere"   # nothing listens there
    settings.database.auto_migrate = False
    app = build_app(settings, clock=SystemClock())
    server = LiveServer(create_web_app(app).starlette)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert http.get("/healthz").status_code == 503
            update = UpdateFactory().text(99, "Helo")
            response = http.post("/telegram/webhook", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
            assert response.status_code == 503
            webhooks = TwilioWebhooks()
            form = webhooks.sms("+447700900123", "Helo")
            response = http.post("/twilio/sms", data=form, headers=webhooks.sign("/twilio/sms", form))
            assert response.status_code == 503
    finally:
        server.stop()
        app.close()
