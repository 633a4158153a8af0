"""Telegram's update_id is not unique for ever: the sequence restarts after a week without
updates, and a new bot starts its own. A new message with an old id is stored and answered;
a real redelivery (the same update again) is still stopped."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.models import InboundMessage

CHAT, OTHER_CHAT = 4343, 4444
REUSED = 777


def _inbox(server) -> int:
    with server.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage))


def test_a_new_message_with_a_reused_update_id_is_stored_and_answered(server, fake_telegram):
    first = server.updates.text(CHAT, "Helo", update_id=REUSED)
    assert server.telegram(first).status_code == 200
    fake_telegram.wait_for_text(CHAT, "Croeso")

    # The sequence restarted: the same number, a new message (its own message id and date).
    later = server.updates.text(CHAT, "/help", update_id=REUSED)
    later["message"]["message_id"] = 12
    later["message"]["date"] += 8 * 24 * 3600
    seen = len(fake_telegram.to(CHAT))
    assert server.telegram(later).status_code == 200
    fake_telegram.wait_for_text(CHAT, "999", since=seen)
    # Another chat's message under the same number (a new bot's own sequence) is answered too.
    other = server.updates.text(OTHER_CHAT, "Helo", update_id=REUSED)
    assert server.telegram(other).status_code == 200
    fake_telegram.wait_for_text(OTHER_CHAT, "Croeso")
    assert _inbox(server) == 3

    # A real redelivery of any of them is still stopped.
    for update in (first, later, other):
        assert server.telegram(update).status_code == 200
    server.drained()
    assert _inbox(server) == 3


def test_a_button_pressed_again_under_a_reused_update_id_is_stored(server, fake_telegram):
    server.telegram(server.updates.text(CHAT, "Helo"))
    fake_telegram.wait_for_text(CHAT, "Croeso")
    press = server.updates.button(CHAT, "en", update_id=REUSED)
    assert server.telegram(press).status_code == 200
    again = server.updates.button(CHAT, "cy", update_id=REUSED)
    again["callback_query"]["id"] = "another-callback"
    assert server.telegram(again).status_code == 200
    server.telegram(press)          # redelivered
    server.drained()
    assert _inbox(server) == 3
