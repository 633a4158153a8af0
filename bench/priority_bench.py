"""How long a crisis reply waits while someone else floods the outbox, at the production limits.

    .venv/bin/python bench/priority_bench.py                  # SQLite, a flood of 40, 1 segment/s
    .venv/bin/python bench/priority_bench.py --flood 40 --repeat 3 --app /path/to/other/checkout

The real web app on loopback (in this process) against the project's fake Twilio, with Twilio's
long-code limit of 1 segment a second (the default `sender.twilio_segments_per_second`). One person
sends `--flood` messages as fast as their webhooks are answered, so their replies queue behind the
limit; then another person (who chose English earlier) writes a clear disclosure. Prints, as JSON,
the seconds from that webhook's answer to the crisis reply reaching the provider, and how many of
the flood's replies were still waiting. `--app` measures another checkout (e.g. before a change).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--app", default=str(Path(__file__).resolve().parent.parent), help="the checkout to measure")
parser.add_argument("--flood", type=int, default=40)
parser.add_argument("--repeat", type=int, default=1)
parser.add_argument("--segments-per-second", type=float, default=1.0)
args = parser.parse_args()
sys.path.insert(0, args.app)

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.bootstrap import build_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.web import create_web_app  # noqa: E402
from storage.models import OutboundMessage  # noqa: E402
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC_BASE_URL, FakeTwilio, TwilioWebhooks  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402

PERSON, FLOODER = "+447700900311", "+447700900399"
CRISIS_MARK = "116 123"   # in the English crisis reply (Samaritans)


def one_run(workdir: str) -> dict:
    twilio = FakeTwilio()
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{workdir}/priority.sqlite3"
    settings.public.base_url = PUBLIC_BASE_URL
    settings.twilio.account_sid, settings.twilio.auth_token, settings.twilio.from_ = ACCOUNT_SID, AUTH_TOKEN, FROM
    settings.twilio.api_base = twilio.api_base
    settings.sender.twilio_segments_per_second = args.segments_per_second
    app = build_app(settings, clock=SystemClock())
    web = create_web_app(app)
    server = LiveServer(web.starlette)
    webhooks = TwilioWebhooks()
    http = httpx.Client(base_url=server.url, timeout=60)

    def sms(address: str, text: str) -> None:
        form = webhooks.sms(address, text)
        response = http.post("/twilio/sms", data=form, headers=webhooks.sign("/twilio/sms", form))
        assert response.status_code == 200, response.status_code

    def waiting() -> int:
        with app.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboundMessage).where(
                OutboundMessage.status.in_(("queued", "sending")))) or 0

    try:
        sms(PERSON, "Hello")
        sms(PERSON, "2")
        while waiting():
            time.sleep(0.05)
        for n in range(args.flood):
            sms(FLOODER, "Hello" if n == 0 else "menu")
        backlog = waiting()
        sms(PERSON, "I want to kill myself")
        answered = time.monotonic()
        twilio.sent.wait_for(lambda items: any(m.to == PERSON and CRISIS_MARK in m.body for m in items), 600)
        arrived = next(m.at for m in twilio.sent.snapshot() if m.to == PERSON and CRISIS_MARK in m.body)
        return {"crisis_wait_s": round(arrived - answered, 2), "flood_rows_queued_before": backlog,
                "flood_rows_still_waiting": waiting()}
    finally:
        http.close()
        server.stop()
        app.close()
        twilio.close()


def main() -> None:
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as workdir:
            runs.append(one_run(workdir))
    waits = [r["crisis_wait_s"] for r in runs]
    print(json.dumps({"app": args.app, "flood": args.flood, "segments_per_second": args.segments_per_second,
                      "runs": runs, "crisis_wait_s_median": statistics.median(waits)}, indent=2))


if __name__ == "__main__":
    main()
