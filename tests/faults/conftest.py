"""Fault-suite fixtures: indexed deliveries (the fake providers are in tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.support.killable_server import Deliveries


@pytest.fixture
def deliveries(fake_telegram, fake_twilio) -> Deliveries:
    return Deliveries(fake_telegram, fake_twilio)
