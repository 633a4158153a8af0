"""kill -9 `cyswllt serve` while 200 conversations are in flight, then start it again.

The providers redeliver every webhook that was not answered 2xx. Afterwards: every inbound
message was handled exactly once, every reply arrived, nothing was sent twice beyond what
README's crash choice allows (at most the one message per person in flight), and every
conversation goes on from where it was.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.faults.conversations import (
    Conversations, assert_nothing_lost_or_doubled, people, read_ledger, wait_until_outbox_settled,
)
from tests.support.killable_server import RedeliveringProvider, ServeProcess, serve_environment

pytestmark = pytest.mark.fault

PEOPLE = 200


def test_kill_9_under_load_loses_nothing_and_sends_nothing_twice(
        database_url, fake_telegram, fake_twilio, deliveries, tmp_path):
    server = ServeProcess(serve_environment(database_url, fake_telegram, fake_twilio), tmp_path / "serve.log")
    server.start()
    provider = RedeliveringProvider(server.url)
    talk = Conversations(provider, deliveries)
    everyone = people(PEOPLE)
    total_turns = PEOPLE * 3
    killed = threading.Event()

    def killer() -> None:
        # Mid-flight: a third of the turns answered, the rest on the way or not yet sent.
        while talk.turns_answered < total_turns // 3:
            time.sleep(0.01)
        server.kill()
        killed.set()
        time.sleep(1.0)   # the providers' retries meet a closed port meanwhile
        server.start()

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        talk.run(everyone, talk.opening)
        thread.join()
        assert killed.is_set()
        assert provider.answers[0] > 0, "the kill did not interrupt any webhook"
        wait_until_outbox_settled(database_url)
        before_closing = read_ledger(database_url)
        repeats = assert_nothing_lost_or_doubled(before_closing, provider, deliveries, everyone,
                                                 repeats_allowed=True)
        talk.run(everyone, talk.closing)
        wait_until_outbox_settled(database_url)
        after = read_ledger(database_url)
        # The closing turns ran on a healthy server: no new repeats.
        assert assert_nothing_lost_or_doubled(after, provider, deliveries, everyone,
                                              repeats_allowed=True) == repeats
        print(f"turns {talk.turns_answered}, webhook answers {dict(provider.answers)}, "
              f"people who got one message twice: {len(repeats)}")
    finally:
        thread.join(timeout=120)
        server.stop()
