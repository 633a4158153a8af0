"""The sender over real HTTP: provider errors, restarts, opt-outs at send time, crash ambiguity."""
from __future__ import annotations

import statistics
from datetime import timedelta

import pytest

from sqlalchemy import select, update

from bot.sender import INTERRUPTED_NOTE
from storage.models import OutboundMessage, Person, PersonAddress

PHONES = [f"+4477009002{i:02d}" for i in range(6)]
CHATS = [7000 + i for i in range(6)]


def rows(app, **filters):
    with app.sessions() as session:
        query = select(OutboundMessage).order_by(OutboundMessage.id)
        for name, value in filters.items():
            query = query.where(getattr(OutboundMessage, name) == value)
        return session.scalars(query).all()


def queue(app, channel: str, address: str, bodies: list[str]) -> None:
    """Rows as a scheduled job would write them (the sender does not care who wrote them)."""
    now = app.clock.now()
    with app.sessions.begin() as session:
        for n, body in enumerate(bodies):
            # A millisecond apart: rows written at the same instant count as one turn (one SMS).
            at = now + timedelta(milliseconds=n)
            session.add(OutboundMessage(channel=channel, address=address, body=body, options=[],
                                        status="queued", created_at=at, not_before=now))


def test_429_and_500_for_a_while_then_everything_arrives_in_order_once(serve, fake_telegram, fake_twilio,
                                                                        channel_app):
    for chat in CHATS:
        queue(channel_app, "telegram", str(chat), [f"{chat} message {n}" for n in range(4)])
    for phone in PHONES:
        queue(channel_app, "sms", phone, [f"{phone} message {n}" for n in range(4)])
    fake_telegram.fail_next(3, status=500)
    fake_telegram.fail_next(2, status=429, retry_after=1)
    fake_telegram.fail_next(3, status=502)
    fake_twilio.fail_next(3, status=500)
    fake_twilio.fail_next(3, status=429)
    fake_twilio.fail_next(2, status=503)
    server = serve()
    server.drained(timeout=60)
    for chat in CHATS:
        assert [m.text for m in fake_telegram.to(chat)] == [f"{chat} message {n}" for n in range(4)]
    for phone in PHONES:
        # Rows queued apart (not one turn) are sent apart, each once, in order.
        assert [m.body for m in fake_twilio.to(phone)] == [f"{phone} message {n}" for n in range(4)]
    assert all(r.status == "sent" for r in rows(channel_app))
    assert server.web.sender.stats.retried >= 8 and server.web.sender.stats.rate_limited >= 5


def test_a_restart_with_rows_still_queued_delivers_them_all(serve, fake_telegram, fake_twilio, channel_app):
    first = serve(run_sender=False)            # a web worker that only takes messages in
    for chat in CHATS:
        assert first.telegram(first.updates.text(chat, "/start")).status_code == 200
    for phone in PHONES:
        assert first.sms(first.twilio.sms(phone, "Hello")).status_code == 200
    first.stop()
    assert fake_telegram.sent.snapshot() == [] and fake_twilio.sent.snapshot() == []
    waiting = len(rows(channel_app, status="queued"))
    assert waiting == len(CHATS) + len(PHONES)

    second = serve()
    second.drained()
    assert len(fake_telegram.sent.snapshot()) + len(fake_twilio.sent.snapshot()) == waiting
    for chat in CHATS:
        assert len(fake_telegram.to(chat)) == 1
    for phone in PHONES:
        assert len(fake_twilio.to(phone)) == 1


def test_a_message_to_someone_who_has_since_opted_out_is_not_sent(serve, fake_twilio, channel_app):
    first = serve(run_sender=False)
    first.sms(first.twilio.sms(PHONES[0], "Hello"))
    first.stop()
    # The row was queued while they were opted in; they opted out (e.g. by Telegram) before it went.
    with channel_app.sessions.begin() as session:
        session.execute(update(Person).values(opted_out=True))
    server = serve()
    server.drained()
    assert fake_twilio.to(PHONES[0]) == []
    assert [r.status for r in rows(channel_app)] == ["suppressed"]


def test_blocked_by_the_person_stops_retrying_and_marks_them_unreachable(server, fake_telegram, channel_app):
    chat = CHATS[0]
    fake_telegram.blocked.add(str(chat))
    server.telegram(server.updates.text(chat, "/start"))
    server.drained()
    [row] = rows(channel_app)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "blocked" in row.last_error
    queue(channel_app, "telegram", str(chat), ["a reminder"])
    server.drained()
    assert rows(channel_app)[-1].status == "unreachable"      # not tried: we know it cannot arrive
    assert fake_telegram.to(chat) == []
    fake_telegram.blocked.clear()                               # they unblock the bot and write
    server.telegram(server.updates.text(chat, "1"))
    fake_telegram.wait_for(chat, 1)


def test_a_row_interrupted_by_a_crash_is_sent_again_once_and_a_stale_one_is_not(serve, fake_telegram,
                                                                                 channel_app):
    now = channel_app.clock.now()
    with channel_app.sessions.begin() as session:
        # Claimed by a sender that died after (perhaps) handing them to Telegram.
        # (CHATS[0]'s had failed twice before; CHATS[2]'s was already sent again after a crash once.)
        for chat, age, attempts, error in ((CHATS[0], timedelta(seconds=30), 3, "telegram 502"),
                                           (CHATS[1], timedelta(hours=3), 1, None),
                                           (CHATS[2], timedelta(seconds=30), 2, INTERRUPTED_NOTE)):
            session.add(OutboundMessage(channel="telegram", address=str(chat), body=f"to {chat}", options=[],
                                        status="sending", attempts=attempts, created_at=now - age,
                                        not_before=now - age, claimed_until=now - timedelta(seconds=1),
                                        last_error=error))
        session.add(OutboundMessage(channel="telegram", address=str(CHATS[0]), body="next", options=[],
                                    status="queued", created_at=now, not_before=now))
    server = serve()
    server.drained()
    assert [m.text for m in fake_telegram.to(CHATS[0])] == [f"to {CHATS[0]}", "next"]
    assert fake_telegram.to(CHATS[1]) == [] and fake_telegram.to(CHATS[2]) == []
    assert [r.status for r in rows(channel_app)] == ["sent", "ambiguous", "ambiguous", "sent"]


def test_status_callbacks_in_any_order_settle_on_the_furthest(server, fake_twilio, channel_app):
    server.sms(server.twilio.sms(PHONES[0], "Hello"))
    [sms] = fake_twilio.wait_for(PHONES[0], 1)
    server.drained()
    for status in ("delivered", "sent", "queued", "delivered", "sending"):
        response = server.status(server.twilio.status(sms.sid, status, PHONES[0]))
        assert response.status_code == 204
    [row] = rows(channel_app)
    assert row.provider_status == "delivered"


def test_a_status_callback_that_beats_the_sender_to_the_database_still_counts(channel_app):
    from bot.channels.base import Outcome, Outgoing
    from bot.delivery_status import record_status
    from bot.sender import Sender

    queue(channel_app, "sms", PHONES[0], ["hello"])
    [row] = rows(channel_app)
    with channel_app.sessions.begin() as session:
        record_status(session, "sms", "SMearly", "delivered", None, channel_app.clock.now())
        record_status(session, "sms", "SMearly", "sent", None, channel_app.clock.now())
    sender = Sender(channel_app.sessions, channel_app.clock, channel_app.settings, routes={})
    sender._record([(Outgoing(row.id, "sms", PHONES[0], "hello"), Outcome.sent("SMearly", "queued"))])
    assert rows(channel_app)[0].provider_status == "delivered"


def test_undelivered_because_unsubscribed_marks_the_number_unreachable(server, fake_twilio, channel_app):
    server.sms(server.twilio.sms(PHONES[0], "Hello"))
    [sms] = fake_twilio.wait_for(PHONES[0], 1)
    server.drained()
    server.status(server.twilio.status(sms.sid, "undelivered", PHONES[0], error_code="21610"))
    with channel_app.sessions() as session:
        assert session.scalar(select(PersonAddress)).unreachable_at is not None


def test_healthz_reports_the_parts(server):
    response = server.http.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["sender"] == "running"
    assert body["nlu"]["backend"] == "embedded"
    assert set(body["channels"]) == {"telegram", "sms"}
    assert "scheduler" in body


def test_one_turns_sms_rows_are_joined_even_with_another_turns_rows_between_them(channel_app):
    from bot.send_limits import routes_from_settings
    from bot.sender import Sender

    now = channel_app.clock.now()
    with channel_app.sessions.begin() as session:
        # Two turns committing at once: their ids interleave.
        for address, body in ((PHONES[0], "Diolch."), (PHONES[1], "Thank you."), (PHONES[0], "Beth nesaf?"),
                              (PHONES[1], "What next?")):
            session.add(OutboundMessage(channel="sms", address=address, body=body, options=[], status="queued",
                                        created_at=now, not_before=now))
    sender = Sender(channel_app.sessions, channel_app.clock, channel_app.settings,
                    routes_from_settings(channel_app.settings, {"sms": object()}))
    claimed = sender._claim(10)
    assert sorted((m.address, m.body, len(m.row_ids)) for m in claimed) == [
        (PHONES[0], "Diolch.\n\nBeth nesaf?", 2), (PHONES[1], "Thank you.\n\nWhat next?", 2)]
    assert {r.status for r in rows(channel_app)} == {"sending"}


def received(texts: list[str], mode: str) -> list[str]:
    """What arrived; after timeouts, with a message repeated straight after itself counted once.

    A send that timed out may still have reached the provider (README, Retries): sent again, it
    can arrive twice, one after the other. A 500 is a clear "no": then each arrives once.
    """
    if mode != "hang":
        return texts
    return [t for n, t in enumerate(texts) if n == 0 or texts[n - 1] != t]


@pytest.mark.fault
@pytest.mark.parametrize("mode", ["500", "hang"])
def test_a_provider_down_for_a_while_is_backed_off_then_drained_in_order_once(serve, fake_telegram, fake_twilio,
                                                                               channel_app, mode):
    sender = channel_app.settings.sender
    sender.backoff_base_s, sender.backoff_max_s = 0.2, 3.2
    sender.http_timeout_s = 0.3
    # Fewer tries than the outage lasts: how long a row has waited decides when to give up, not how often it tried.
    sender.max_attempts = 3
    for fake in (fake_telegram, fake_twilio):
        fake.outage.begin(6.0, mode, hang_s=0.6)
    for chat in CHATS:
        queue(channel_app, "telegram", str(chat), [f"{chat} message {n}" for n in range(4)])
    for phone in PHONES:
        queue(channel_app, "sms", phone, [f"{phone} message {n}" for n in range(4)])
    server = serve()
    server.drained(timeout=60)
    for chat in CHATS:
        assert received([m.text for m in fake_telegram.to(chat)], mode) == [f"{chat} message {n}" for n in range(4)]
    for phone in PHONES:
        assert received([m.body for m in fake_twilio.to(phone)], mode) == [f"{phone} message {n}" for n in range(4)]
    assert {r.status for r in rows(channel_app)} == {"sent"}
    # While it was down, each recipient's first row was tried ever less often (exponential
    # backoff), and recipients were not tried in lockstep (jitter). Medians over the recipients,
    # because the sender's polling (and, hanging, the timeout) adds to every gap.
    tries: dict[str, list[float]] = {}
    for recipient, at in fake_telegram.outage.refused.snapshot() + fake_twilio.outage.refused.snapshot():
        tries.setdefault(recipient, []).append(at)
    assert set(tries) == {str(c) for c in CHATS} | set(PHONES)
    first_gaps, growth = [], []
    for recipient, times in tries.items():
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert len(gaps) >= 2, f"{recipient} was tried only {len(times)} times in the outage"
        first_gaps.append(round(gaps[0], 3))
        growth.append(gaps[-1] / gaps[0])
    assert statistics.median(growth) >= 1.5, growth
    assert len(set(first_gaps)) > 1, first_gaps


def test_a_joined_sms_in_flight_does_not_look_like_another_senders_at_the_next_look(channel_app):
    from bot.send_limits import routes_from_settings
    from bot.sender import Sender

    now = channel_app.clock.now()
    with channel_app.sessions.begin() as session:
        for body in ("Diolch.", "Beth nesaf?"):   # one turn's two rows: one SMS
            session.add(OutboundMessage(channel="sms", address=PHONES[0], body=body, options=[], status="queued",
                                        created_at=now, not_before=now))
    sender = Sender(channel_app.sessions, channel_app.clock, channel_app.settings,
                    routes_from_settings(channel_app.settings, {"sms": object()}))
    [message] = sender._claim(10)
    assert len(message.row_ids) == 2
    sender._scanned_at = float("-inf")   # the once-a-second look at the outbox, while the SMS is in flight
    sender._claim(10)
    # Both rows are this sender's own: nothing is waiting on "another sender" until the claim expires.
    assert ("sms", PHONES[0]) not in sender._waiting
