"""Fault-suite fixtures: the fake providers, indexed deliveries, and `cyswllt serve` as a process."""
from __future__ import annotations

import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_twilio import FakeTwilio
from tests.support.killable_server import Deliveries


@pytest.fixture
def fake_telegram():
    fake = FakeTelegram()
    yield fake
    fake.close()


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def deliveries(fake_telegram, fake_twilio) -> Deliveries:
    return Deliveries(fake_telegram, fake_twilio)
