"""The tier tests' bot: the real app (the screen reads tier_messages.py's messages as they say)."""
from __future__ import annotations

import pytest

from bot.bootstrap import build_app
from tests.support.conversation import ConversationDriver


@pytest.fixture
def tier_app(settings, clock):
    app = build_app(settings, clock=clock)
    yield app
    app.close()


@pytest.fixture
def tier_bot(tier_app) -> ConversationDriver:
    return ConversationDriver(tier_app, channel="sms", address="+447700900123")
