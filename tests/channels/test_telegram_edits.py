"""Telegram edits over real HTTP: screened for risk exactly as new messages are, never a flow's input."""
from __future__ import annotations

from sqlalchemy import select

from bot.channels.telegram.channel import UPDATE_TYPES
from storage.models import AlertEvent, Conversation, InboundMessage, Person, SafeguardingAlert
from tests.safeguarding.tier_messages import CLEAR, POSSIBLE_REAL_NLU

CHAT = 5151


def english_at_the_menu(server, fake_telegram):
    server.telegram(server.updates.text(CHAT, "/start"))
    fake_telegram.wait_for(CHAT, 1)
    server.telegram(server.updates.button(CHAT, "en"))
    fake_telegram.wait_for_text(CHAT, "What would you like", since=1)


def where(server):
    with server.app.sessions() as session:
        conversation = session.scalar(select(Conversation))
        return conversation.flow, dict(conversation.state or {})


def test_edited_messages_are_asked_for():
    assert "edited_message" in UPDATE_TYPES


def test_a_risk_added_by_editing_gets_the_crisis_reply_and_an_alert(server, fake_telegram):
    english_at_the_menu(server, fake_telegram)
    first = server.updates.text(CHAT, "hello, can you help me find something")
    server.telegram(first)
    seen = len(fake_telegram.wait_for(CHAT, 3))
    edit = server.updates.edited(CHAT, first["message"]["message_id"], f"hello. {CLEAR['en']}")
    assert server.telegram(edit).status_code == 200
    fake_telegram.wait_for_text(CHAT, "116 123", since=seen)
    with server.app.sessions() as session:
        [alert] = session.scalars(select(SafeguardingAlert)).all()
        assert (alert.tier, alert.channel, alert.excerpt) == ("clear", "telegram", f"hello. {CLEAR['en']}")
        raised = session.scalar(select(AlertEvent).where(AlertEvent.kind == "raised"))
        assert raised.detail["edited"] is True
        assert session.scalar(select(InboundMessage).where(InboundMessage.provider_id.startswith(f"{edit['update_id']}:")))
    assert where(server)[0] == "safety"
    # The same edit delivered again raises nothing more.
    server.telegram(edit)
    server.drained()
    with server.app.sessions() as session:
        assert len(session.scalars(select(SafeguardingAlert)).all()) == 1


def test_a_possible_risk_added_by_editing_gets_the_gentle_check(server, fake_telegram):
    english_at_the_menu(server, fake_telegram)
    first = server.updates.text(CHAT, "I just want to find a walking group")
    server.telegram(first)
    seen = len(fake_telegram.wait_for(CHAT, 3))
    server.telegram(server.updates.edited(CHAT, first["message"]["message_id"], POSSIBLE_REAL_NLU))
    check = fake_telegram.wait_for_text(CHAT, "are you safe right now?", since=seen)[-1]
    assert check.callback_values == ["safe", "not_safe", "talk"]
    with server.app.sessions() as session:
        [alert] = session.scalars(select(SafeguardingAlert)).all()
        assert alert.tier == "possible"


def test_an_edit_without_risk_changes_nothing_and_drives_no_flow(server, fake_telegram):
    english_at_the_menu(server, fake_telegram)
    before = where(server)
    sent = len(fake_telegram.to(CHAT))
    for text in ("walking groups near CF10", "STOP", "/start", "Cymraeg", "1"):
        assert server.telegram(server.updates.edited(CHAT, 77, text)).status_code == 200
    server.drained()
    assert len(fake_telegram.to(CHAT)) == sent, "an edit gets no reply"
    assert where(server) == before
    with server.app.sessions() as session:
        person = session.scalar(select(Person))
        assert not person.opted_out and person.language == "en"
        edits = session.scalars(select(InboundMessage).where(InboundMessage.text == "STOP")).all()
        assert len(edits) == 1, "what they wrote is kept"
        assert not session.scalars(select(SafeguardingAlert)).all()
