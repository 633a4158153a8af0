"""Telegram over real HTTP: PTB against a fake Bot API, webhooks into the real web app."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.models import InboundMessage, OutboundMessage

CHAT = 4242


def test_a_whole_conversation_over_telegram(server, fake_telegram):
    response = server.telegram(server.updates.text(CHAT, "/start"))
    assert response.status_code == 200
    [offer] = fake_telegram.wait_for(CHAT, 1)
    assert offer.text.index("Ym mha iaith") < offer.text.index("Which language")
    assert offer.callback_values == ["cy", "en"]       # options are inline buttons

    press = server.updates.button(CHAT, "cy")
    assert server.telegram(press).status_code == 200
    replies = fake_telegram.wait_for_text(CHAT, "Beth hoffech chi", since=1)
    assert "Diolch" in replies[0].text
    assert replies[-1].callback_values                 # the menu, as buttons
    fake_telegram.answered_callbacks.wait_for(lambda ids: f"cb{press['update_id']}" in ids)

    seen = len(fake_telegram.to(CHAT))
    server.telegram(server.updates.text(CHAT, "/english"))
    replies = fake_telegram.wait_for_text(CHAT, "What would you like", since=seen)
    assert "English" in replies[0].text

    seen = len(fake_telegram.to(CHAT))
    server.telegram(server.updates.text(CHAT, "/help"))
    fake_telegram.wait_for_text(CHAT, "999", since=seen)

    seen = len(fake_telegram.to(CHAT))
    server.telegram(server.updates.text(CHAT, "/stop"))
    fake_telegram.wait_for_text(CHAT, "START", since=seen)
    seen = len(fake_telegram.to(CHAT))
    assert server.telegram(server.updates.text(CHAT, "hello?")).status_code == 200
    server.telegram(server.updates.text(CHAT, "/start"))   # opts back in
    replies = fake_telegram.wait_for_text(CHAT, "Welcome back", since=seen)
    assert not any("hello" in m.text for m in replies)
    with server.app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 7


def test_missing_or_wrong_secret_is_refused_and_nothing_is_stored(server, fake_telegram):
    assert server.telegram(server.updates.text(CHAT, "Helo"), secret=None).status_code == 403
    assert server.telegram(server.updates.text(CHAT, "Helo"), secret="wrong").status_code == 403
    assert server.telegram(server.updates.text(CHAT, "Helo"), secret="").status_code == 403
    with server.app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_the_same_update_three_times_gets_one_reply(server, fake_telegram):
    update = server.updates.text(CHAT, "Helo")
    for _ in range(3):
        assert server.telegram(update).status_code == 200
    fake_telegram.wait_for_text(CHAT, "Croeso")
    server.telegram(server.updates.text(CHAT, "/help"))   # a later message flushes the pipeline
    fake_telegram.wait_for_text(CHAT, "999")
    server.drained()
    sent = fake_telegram.to(CHAT)
    # One inbox row for the three deliveries, and each outbox row sent exactly once.
    with server.app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 2
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == len(sent)


def test_a_sticker_gets_a_kind_reply_not_a_crash(server, fake_telegram):
    assert server.telegram(server.updates.sticker(CHAT)).status_code == 200
    fake_telegram.wait_for(CHAT, 1)


def test_malformed_updates_are_refused_without_a_crash(server):
    malformed = (b"", b"not json", b"[]", b'{"update_id": "x"}', "😀".encode() * 5000,
                 b'{"update_id": 5, "message": "x"}', b'{"update_id": 6, "message": {"chat": 1}}')
    for body in malformed:
        response = server.http.post("/telegram/webhook", content=body,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_for-tests"})
        assert response.status_code == 400, body
    # Updates of kinds we do not ask for, or from groups, are acknowledged and left alone.
    # (Edited messages are asked for and screened: tests/channels/test_telegram_edits.py.)
    group = server.updates.text(CHAT, "hello all")
    group["message"]["chat"]["type"] = "group"
    post = {"update_id": 7, "channel_post": {"message_id": 1, "date": 0, "text": "x",
                                              "chat": {"id": -100, "type": "channel", "title": "c"}}}
    for update in (group, post):
        assert server.telegram(update).status_code == 200
    with server.app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
