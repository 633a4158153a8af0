"""`cyswllt serve` as a real process (or several worker processes) on a free loopback port."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.fake_telegram import TOKEN
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC_BASE_URL

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_SECRET = "s3cret-Token_for-tests"
# The providers' limits lifted: these tests are about who sends what, not how fast.
LIFTED_LIMITS = {
    "CYSWLLT_SENDER_TELEGRAM_PER_SECOND": "100000", "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_PER_SECOND": "1000",
    "CYSWLLT_SENDER_TELEGRAM_PER_CHAT_BURST": "100", "CYSWLLT_SENDER_TWILIO_SEGMENTS_PER_SECOND": "100000",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_environment(database_url: str, telegram_api_base: str, twilio_api_base: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYSWLLT_")}
    env.update({
        "CYSWLLT_DATABASE_URL": database_url, "CYSWLLT_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "CYSWLLT_TELEGRAM_TOKEN": TOKEN, "CYSWLLT_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "CYSWLLT_TELEGRAM_API_BASE": telegram_api_base,
        "CYSWLLT_TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CYSWLLT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CYSWLLT_TWILIO_FROM": FROM, "CYSWLLT_TWILIO_API_BASE": twilio_api_base,
        "CYSWLLT_SENDER_IDLE_POLL_S": "0.05",
        **extra,
    })
    return env


def start_serve(port: int, env: dict, log, *args: str) -> subprocess.Popen:
    """`cyswllt serve` on 127.0.0.1:port, its output to the open file `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """True once /healthz answers 200; False if the process ended or the time ran out first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.1)


class ServeProcess:
    """Started on construction, healthy when it returns; `stop()` sends SIGTERM as systemd would."""

    def __init__(self, env: dict, log_path: Path, *args: str, timeout: float = 90):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = start_serve(self.port, env, self._log, *args)
        if not wait_until_healthy(self.url, self.process, timeout):
            self.stop()
            raise AssertionError(f"cyswllt serve did not start:\n{log_path.read_text()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=10)
        self._log.close()
        return code
