"""`cyswllt serve` as a real process, configured only by the documented environment variables."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.channels.conftest import TELEGRAM_SECRET
from tests.support.fake_telegram import TOKEN, UpdateFactory
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC_BASE_URL, TwilioWebhooks

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cyswllt_serve_takes_webhooks_and_sends_replies(database_url, fake_telegram, fake_twilio, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYSWLLT_")}
    env.update({
        "CYSWLLT_DATABASE_URL": database_url,
        "CYSWLLT_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "CYSWLLT_TELEGRAM_TOKEN": TOKEN, "CYSWLLT_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "CYSWLLT_TELEGRAM_API_BASE": fake_telegram.api_base,
        "CYSWLLT_TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CYSWLLT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CYSWLLT_TWILIO_FROM": FROM, "CYSWLLT_TWILIO_API_BASE": fake_twilio.api_base,
        "CYSWLLT_SENDER_IDLE_POLL_S": "0.05",
    })
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve did not become healthy"
            time.sleep(0.1)
        webhooks = TwilioWebhooks()
        form = webhooks.sms("+447700900321", "Hello")
        assert httpx.post(f"{url}/twilio/sms", data=form, headers=webhooks.sign("/twilio/sms", form)).status_code == 200
        fake_twilio.wait_for_text("+447700900321", "Cymraeg")
        update = UpdateFactory().text(31337, "/start")
        response = httpx.post(f"{url}/telegram/webhook", json=update,
                              headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        assert response.status_code == 200
        fake_telegram.wait_for_text(31337, "Ym mha iaith")
        # `cyswllt serve` runs the scheduler too: it takes the lock and says so.
        deadline = time.monotonic() + 30
        while httpx.get(f"{url}/healthz").json().get("scheduler") != "leading":
            assert time.monotonic() < deadline, httpx.get(f"{url}/healthz").text
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status shows it.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        log.close()


def test_serve_polling_mode_reads_get_updates(serve, fake_telegram):
    updates = UpdateFactory()
    first = updates.text(4321, "/start")
    fake_telegram.push_update(first)
    fake_telegram.push_update(first)                 # served twice: handled once
    serve(telegram_polling=True)
    fake_telegram.wait_for_text(4321, "Ym mha iaith")
    fake_telegram.push_update(updates.button(4321, "en"))
    fake_telegram.wait_for_text(4321, "What would you like")
    assert sum("Ym mha iaith" in m.text for m in fake_telegram.to(4321)) == 1
