"""Channel fixtures: fake Telegram and Twilio servers, and the real web app on loopback."""
from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import func, select

from bot.bootstrap import build_app
from bot.clock import SystemClock
from bot.web import create_web_app
from storage.models import OutboundMessage
from tests.support.fake_telegram import TOKEN, UpdateFactory
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC_BASE_URL, TwilioWebhooks
from tests.support.live_server import LiveServer

TELEGRAM_SECRET = "s3cret-Token_for-tests"


@pytest.fixture
def channel_settings(settings, fake_telegram, fake_twilio):
    settings.public.base_url = PUBLIC_BASE_URL
    settings.telegram.token = TOKEN
    settings.telegram.secret = TELEGRAM_SECRET
    settings.telegram.api_base = fake_telegram.api_base
    settings.twilio.account_sid = ACCOUNT_SID
    settings.twilio.auth_token = AUTH_TOKEN
    settings.twilio.from_ = FROM
    settings.twilio.api_base = fake_twilio.api_base
    # Fast retries and generous limits, so the tests wait fractions of a second, not minutes.
    sender = settings.sender
    sender.backoff_base_s = 0.05
    sender.backoff_max_s = 0.4
    sender.idle_poll_s = 0.05
    sender.telegram_per_chat_per_second = 100.0
    sender.telegram_per_chat_burst = 10
    sender.telegram_per_second = 1000.0
    sender.twilio_segments_per_second = 1000.0
    sender.http_timeout_s = 5.0
    return settings


@pytest.fixture
def channel_app(channel_settings):
    app = build_app(channel_settings, clock=SystemClock())
    yield app
    app.close()


class Running:
    """The web app being served, and ways to talk to it as the providers do."""

    def __init__(self, app, run_sender: bool = True, telegram_polling: bool = False):
        self.app = app
        self.web = create_web_app(app, run_sender=run_sender, telegram_polling=telegram_polling)
        self.server = LiveServer(self.web.starlette)
        self.http = httpx.Client(base_url=self.server.url, timeout=30)
        self.updates = UpdateFactory()
        self.twilio = TwilioWebhooks()

    def telegram(self, update: dict, secret: str | None = TELEGRAM_SECRET) -> httpx.Response:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return self.http.post("/telegram/webhook", json=update, headers=headers)

    def sms(self, form: dict, signed: bool = True) -> httpx.Response:
        headers = self.twilio.sign("/twilio/sms", form) if signed else {}
        return self.http.post("/twilio/sms", data=form, headers=headers)

    def status(self, form: dict) -> httpx.Response:
        return self.http.post("/twilio/status", data=form, headers=self.twilio.sign("/twilio/status", form))

    def drained(self, timeout: float = 20.0) -> None:
        """Wait until the sender has settled every outbox row (none queued or sending)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.app.sessions() as session:
                waiting = session.scalar(select(func.count()).select_from(OutboundMessage).where(
                    OutboundMessage.status.in_(("queued", "sending"))))
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{waiting} outbox rows still waiting")
            time.sleep(0.02)

    def stop(self) -> None:
        self.http.close()
        self.server.stop()


@pytest.fixture
def serve(channel_app):
    """serve() starts the web app (again, after a stop, for restart tests)."""
    running: list[Running] = []

    def start(run_sender: bool = True, telegram_polling: bool = False) -> Running:
        server = Running(channel_app, run_sender=run_sender, telegram_polling=telegram_polling)
        running.append(server)
        return server

    yield start
    for server in running:
        if server.server.thread.is_alive():
            server.stop()


@pytest.fixture
def server(serve) -> Running:
    return serve()
