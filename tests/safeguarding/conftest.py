"""A bot whose NLU reads the tier tests' POSSIBLE messages as a possible risk (tier_messages.py)."""
from __future__ import annotations

import pytest

from bot.bootstrap import build_app
from bot.nlu_backends import build_nlu
from tests.safeguarding.tier_messages import PossibleRiskNLU
from tests.support.conversation import ConversationDriver


@pytest.fixture
def tier_app(settings, clock):
    app = build_app(settings, clock=clock, nlu=PossibleRiskNLU(build_nlu(settings)))
    yield app
    app.close()


@pytest.fixture
def tier_bot(tier_app) -> ConversationDriver:
    return ConversationDriver(tier_app, channel="sms", address="+447700900123")
