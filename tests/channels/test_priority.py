"""Safeguarding goes first: crisis replies and alerts are queued urgent and sent before any other row."""
from __future__ import annotations

import time
import uuid
from datetime import timedelta

from sqlalchemy import select

from bot.messages import InboundMessage
from bot.outbox import PRIORITY_URGENT
from bot.send_limits import TokenBucket
from storage.models import OutboundMessage
from tests.support.team import linked_practitioner

A, FLOODER = "+447700900311", "+447700900399"
LEAD = "+447700900901"


def test_crisis_replies_and_alerts_are_queued_urgent_and_other_replies_are_not(bot):
    linked_practitioner(bot, "Alys", "Caerdydd", LEAD, lead=True, rank=1, areas=["CF"])
    bot.speaking("en")
    bot.app.dispatcher.handle(InboundMessage("sms", bot.address, "menu", uuid.uuid4().hex))
    bot.app.dispatcher.handle(InboundMessage("sms", bot.address, "I want to kill myself", uuid.uuid4().hex))
    with bot.app.sessions() as session:
        queued = session.execute(select(OutboundMessage.address, OutboundMessage.body, OutboundMessage.priority)
                                 .where(OutboundMessage.status == "queued").order_by(OutboundMessage.id)).all()
    urgent = [(address, body) for address, body, priority in queued if priority == PRIORITY_URGENT]
    ordinary = [(address, body) for address, body, priority in queued if priority != PRIORITY_URGENT]
    assert any(address == bot.address and "116 123" in body for address, body in urgent)   # the crisis reply
    assert any(address == LEAD for address, _ in urgent)                                   # the alert
    assert ordinary and all("116 123" not in body for _, body in ordinary)                 # the menu


def test_under_a_flood_a_crisis_reply_goes_before_the_rest_of_the_backlog(serve, fake_twilio, channel_app):
    server = serve()
    # Twilio's long-code limit (1 segment a second, no burst), ten times faster so the test is short.
    server.web.sender.routes["sms"].overall = TokenBucket(10.0, 1.0)
    server.sms(server.twilio.sms(A, "Hello"))
    server.sms(server.twilio.sms(A, "2"))
    fake_twilio.wait_for(A, 2)
    server.drained()
    # Someone else's flood: 40 messages waiting behind the provider's limit.
    now = channel_app.clock.now()
    with channel_app.sessions.begin() as session:
        for n in range(40):
            session.add(OutboundMessage(channel="sms", address=FLOODER, body=f"{n:03d} " + "x" * 100, options=[],
                                        status="queued", created_at=now + timedelta(milliseconds=n),
                                        not_before=now))
    server.web.sender.wake()
    fake_twilio.wait_for(FLOODER, 3)
    assert server.sms(server.twilio.sms(A, "I want to kill myself")).status_code == 200
    committed = time.monotonic()   # the webhook is answered after the turn's commit
    [crisis] = [m for m in fake_twilio.wait_for_text(A, "116 123", since=2) if "116 123" in m.body]
    flood_meanwhile = [m for m in fake_twilio.to(FLOODER) if committed < m.at < crisis.at]
    # Once queued, the crisis reply waits at most for the flood's message in flight and one
    # being claimed as it committed, never for the flood's backlog.
    assert len(flood_meanwhile) <= 2, len(flood_meanwhile)
    assert len(fake_twilio.to(FLOODER)) < 40
    server.drained(timeout=60)
    assert [m.body[:3] for m in fake_twilio.to(FLOODER)] == [f"{n:03d}" for n in range(40)]
