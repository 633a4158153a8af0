"""Poison inputs, over real HTTP: a 4xx, or a stored message with a kind reply; never a 5xx that
makes the provider deliver the same poison again for ever."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.practitioners import add_practitioner
from storage.models import InboundMessage
from tests.channels.conftest import TELEGRAM_SECRET

CHAT = 5151
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, "Content-Type": "application/json"}


def _inbox(server) -> list[InboundMessage]:
    with server.app.sessions() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_a_lone_surrogate_in_telegram_text_is_stored_and_answered(server, fake_telegram):
    update = server.updates.text(CHAT, "Helo PLACEHOLDER")
    # Telegram's JSON may escape half a surrogate pair; Python reads it as a lone surrogate.
    body = json.dumps(update).replace("PLACEHOLDER", "\\ud83d")
    response = server.http.post("/telegram/webhook", content=body.encode(), headers=HEADERS)
    assert response.status_code == 200, response.status_code
    fake_telegram.wait_for_text(CHAT, "Croeso")
    [row] = _inbox(server)
    assert row.status == "processed" and row.text.startswith("Helo ")


def test_json_nested_a_thousand_deep_is_refused_with_a_400(server):
    deep = '{"update_id": 1, "message": ' + "[" * 1000 + "]" * 1000 + "}"
    response = server.http.post("/telegram/webhook", content=deep.encode(), headers=HEADERS)
    assert response.status_code == 400, response.status_code
    deeper = '{"update_id": 2, "message": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}"
    response = server.http.post("/telegram/webhook", content=deeper.encode(), headers=HEADERS)
    assert response.status_code == 400, response.status_code
    assert _inbox(server) == []


def test_a_sender_address_longer_than_64_characters_is_refused_with_a_400(server):
    form = server.twilio.sms("+44" + "7" * 70, "Helo")
    response = server.sms(form)
    assert response.status_code == 400, response.status_code
    assert _inbox(server) == []


def test_superscript_digits_in_callback_data_get_a_kind_reply(server, fake_telegram):
    with server.app.sessions.begin() as session:
        _, code = add_practitioner(session, "Alys", "Caerdydd", server.app.clock.now(), areas=["CF"])
    server.telegram(server.updates.text(CHAT, f"LINK {code}"))
    fake_telegram.wait_for_text(CHAT, "Alys")
    for data in ("alert:¹:ack", "referral:²³:accept", "nudge:⁴:attended", "erase:⁵:confirm", "¹"):
        seen = len(fake_telegram.to(CHAT))
        assert server.telegram(server.updates.button(CHAT, data)).status_code == 200, data
        fake_telegram.wait_for(CHAT, seen + 1)
    assert {row.status for row in _inbox(server)} == {"processed"}


def test_an_oversized_sms_body_is_413(server):
    form = server.twilio.sms("+447700900123", "x" * 1_100_000)
    response = server.sms(form)
    assert response.status_code == 413, response.status_code
