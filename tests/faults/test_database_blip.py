"""A connection lost in the middle of a turn: the provider is asked to try again (503), and the
redelivery is handled as if nothing had happened, rather than the message being kept as a
failed turn with an apology that a second try would not have needed.
"""
from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from storage.models import InboundMessage
from tests.support.conversation import ConversationDriver

pytestmark = pytest.mark.fault


class DropsTheConnectionOnce:
    """An NLU that, once, fails as a lost database connection does (the NLU is mid-turn)."""

    def __init__(self, real):
        self.real = real
        self.armed = True

    def parse(self, text, lang):
        if self.armed:
            self.armed = False
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return self.real.parse(text, lang)


def test_a_connection_lost_mid_turn_is_retried_by_the_provider_not_apologised_for(app):
    bot = ConversationDriver(app, channel="sms", address="+447700900777").speaking("en")
    app.dispatcher.nlu = DropsTheConnectionOnce(app.dispatcher.nlu)
    with pytest.raises(OperationalError):   # the web app turns this into 503
        bot.send("HELP", provider_id="SMblip1")
    assert bot.deliver().messages == [], "no apology for a turn the provider will send again"
    assert not bot.rows(InboundMessage, provider_id="SMblip1")
    bot.send("HELP", provider_id="SMblip1").expect("Cyswllt helps you").expect_lang("en")
    assert [r.status for r in bot.rows(InboundMessage, provider_id="SMblip1")] == ["processed"]
