"""PostgreSQL stopped for 30 seconds under load (a private cluster: the shared one is left alone).

While it is down the webhooks answer 503 and /healthz is not 200; the providers keep
retrying, and once it is back every retried message is handled, nothing is lost or sent
twice, and the sender goes on sending.
"""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.faults.conversations import (
    Conversations, assert_nothing_lost_or_doubled, people, read_ledger, wait_until_outbox_settled,
)
from tests.support.private_postgres import PrivateCluster
from tests.support.killable_server import RedeliveringProvider, ServeProcess, serve_environment

pytestmark = pytest.mark.fault

PEOPLE = 60
OUTAGE_S = 30.0   # issue 9's figure


@pytest.fixture
def private_postgres():
    cluster = PrivateCluster()
    cluster.start()
    yield cluster
    cluster.remove()


def test_postgresql_down_for_30_seconds_under_load(private_postgres, fake_telegram, fake_twilio, deliveries, tmp_path):
    database_url = private_postgres.create_database("cyswllt_outage")
    server = ServeProcess(serve_environment(database_url, fake_telegram, fake_twilio), tmp_path / "serve.log")
    server.start()
    provider = RedeliveringProvider(server.url)
    talk = Conversations(provider, deliveries, reply_timeout_s=OUTAGE_S + 90)
    everyone = people(PEOPLE)
    seen_while_down: dict[str, set] = {"healthz": set(), "webhooks": set()}
    outage_over = threading.Event()

    def outage() -> None:
        while talk.turns_answered < PEOPLE:   # a third of the way through
            time.sleep(0.01)
        private_postgres.stop()
        began = time.monotonic()
        with httpx.Client(timeout=10) as http:
            while time.monotonic() - began < OUTAGE_S:
                seen_while_down["healthz"].add(http.get(f"{server.url}/healthz").status_code)
                time.sleep(0.5)
        # Posts made after the stop and answered before the start (not those it cut short).
        seen_while_down["webhooks"] = provider.answered_between(began, time.monotonic())
        private_postgres.start()
        outage_over.set()

    thread = threading.Thread(target=outage)
    thread.start()
    try:
        talk.run(everyone, talk.opening)
        thread.join()
        assert outage_over.is_set()
        assert 200 not in seen_while_down["healthz"] and seen_while_down["healthz"] == {503}, seen_while_down
        # Every webhook posted while the database was down was answered 503: none 200, none 500.
        assert set(seen_while_down["webhooks"]) == {503}, seen_while_down
        wait_until_outbox_settled(database_url, timeout=90)
        assert_nothing_lost_or_doubled(read_ledger(database_url), provider, deliveries, everyone,
                                       repeats_allowed=False)
        # The sender went on after the outage, and every conversation goes on where it was.
        talk.run(everyone, talk.closing)
        wait_until_outbox_settled(database_url)
        assert_nothing_lost_or_doubled(read_ledger(database_url), provider, deliveries, everyone,
                                       repeats_allowed=False)
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        print(f"webhook answers {dict(provider.answers)}; healthz while down {seen_while_down['healthz']}")
    finally:
        thread.join(timeout=120)
        server.stop()
