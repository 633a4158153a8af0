"""`cyswllt serve` as a process to kill and restart, and providers that redeliver as Telegram and Twilio do.

(tests/support/serve_process.py starts one that runs to the end, with several workers if asked.)

The fault tests kill, stop and restart this process; the providers keep posting a webhook
until it is answered 2xx, which is how the real ones behave (Telegram retries an update the
webhook did not acknowledge; Twilio retries a message whose webhook failed).
"""
from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from bot.channels.telegram.channel import inbox_key
from tests.support.fake_telegram import FakeTelegram, UpdateFactory
from tests.support.fake_twilio import FakeTwilio, TwilioWebhooks
from tests.support.serve_process import TELEGRAM_SECRET, free_port, start_serve, wait_until_healthy
from tests.support.serve_process import serve_environment as base_environment

def serve_environment(database_url: str, telegram: FakeTelegram, twilio: FakeTwilio, **extra: str) -> dict:
    """The documented CYSWLLT_* variables, with limits lifted and retries fast for tests."""
    return base_environment(database_url, telegram.api_base, twilio.api_base, **{
        "CYSWLLT_SENDER_BACKOFF_BASE_S": "0.05",
        "CYSWLLT_SENDER_BACKOFF_MAX_S": "0.5",
        "CYSWLLT_SENDER_TELEGRAM_PER_SECOND": "1000",
        "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_PER_SECOND": "100",
        "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_BURST": "10",
        "CYSWLLT_SENDER_TWILIO_SEGMENTS_PER_SECOND": "1000",
        "CYSWLLT_SENDER_HTTP_TIMEOUT_S": "5",
        # A row left "sending" by a crash is looked at again after this, rather than after a minute.
        "CYSWLLT_SENDER_CLAIM_S": "3",
        **extra,
    })


class ServeProcess:
    """One `cyswllt serve` on a fixed loopback port: start, kill -9, start again."""

    def __init__(self, env: dict, log_path: Path, port: int | None = None):
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> "ServeProcess":
        with self.log_path.open("a") as log:
            self.process = start_serve(self.port, self.env, log, "--no-scheduler")
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 90.0) -> None:
        assert self.process is not None
        assert wait_until_healthy(self.url, self.process, timeout), f"serve did not become healthy:\n{self.log()}"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, whatever was in flight is cut off."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""


class Deliveries:
    """What the fake providers handed to each address, indexed so 200 waiters stay cheap."""

    def __init__(self, telegram: FakeTelegram, twilio: FakeTwilio):
        self.condition = threading.Condition()
        self.texts: dict[str, list[str]] = defaultdict(list)
        telegram.sent.listener = lambda m: self._add(m.chat_id, m.text)
        twilio.sent.listener = lambda m: self._add(m.to, m.body)

    def _add(self, address: str, text: str) -> None:
        with self.condition:
            self.texts[address].append(text)
            self.condition.notify_all()

    def count(self, address: str) -> int:
        with self.condition:
            return len(self.texts[address])

    def to(self, address: str) -> list[str]:
        with self.condition:
            return list(self.texts[address])

    def wait_for(self, address: str, fragment: str, since: int, timeout: float) -> str:
        """The first text to `address` after the first `since` that contains `fragment`."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for text in self.texts[address][since:]:
                    if fragment.casefold() in text.casefold():
                        return text
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{address} never got {fragment!r}; it got {self.texts[address][since:]!r}")
                self.condition.wait(min(left, 1.0))


class RedeliveringProvider:
    """Posts signed webhooks to the app and, like Telegram and Twilio, posts again until 2xx."""

    def __init__(self, base_url: str, retry_every_s: float = 0.25, give_up_after_s: float = 180.0):
        self.base_url = base_url
        self.retry_every_s = retry_every_s
        self.give_up_after_s = give_up_after_s
        self.updates = UpdateFactory()
        self.twilio = TwilioWebhooks()
        self.lock = threading.Lock()
        self.provider_ids: dict[str, list[str]] = {"telegram": [], "sms": []}   # every id delivered
        self.answers: dict[int, int] = defaultdict(int)   # status code (0: no answer) -> how often
        self.timeline: list[tuple[float, float, int]] = []   # (posted, answered, status), monotonic

    def telegram_text(self, http: httpx.Client, chat_id: int, text: str) -> None:
        self._deliver(http, "telegram", self.updates.text(chat_id, text))

    def telegram_button(self, http: httpx.Client, chat_id: int, data: str) -> None:
        self._deliver(http, "telegram", self.updates.button(chat_id, data))

    def sms(self, http: httpx.Client, number: str, body: str) -> None:
        self._deliver(http, "sms", self.twilio.sms(number, body))

    def _deliver(self, http: httpx.Client, channel: str, payload: dict) -> None:
        # The inbox keys a Telegram update by its id and a hash of the update (bot/channels/telegram.py).
        provider_id = inbox_key(payload) if channel == "telegram" else payload["MessageSid"]
        with self.lock:
            self.provider_ids[channel].append(provider_id)
        deadline = time.monotonic() + self.give_up_after_s
        while True:
            posted = time.monotonic()
            status = self._post(http, channel, payload)
            with self.lock:
                self.answers[status] += 1
                self.timeline.append((posted, time.monotonic(), status))
            if 200 <= status < 300:
                return
            assert time.monotonic() < deadline, f"{channel} {provider_id} never acknowledged (last {status})"
            time.sleep(self.retry_every_s)

    def answered_between(self, start: float, end: float) -> Counter:
        """Status codes of the posts made and answered wholly within [start, end] (monotonic)."""
        with self.lock:
            return Counter(status for posted, answered, status in self.timeline if posted >= start and answered <= end)

    def _post(self, http: httpx.Client, channel: str, payload: dict) -> int:
        try:
            if channel == "telegram":
                response = http.post(f"{self.base_url}/telegram/webhook", json=payload,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
            else:
                response = http.post(f"{self.base_url}/twilio/sms", data=payload,
                                     headers=self.twilio.sign("/twilio/sms", payload))
            return response.status_code
        except httpx.HTTPError:
            return 0   # refused, reset, or timed out: not acknowledged
