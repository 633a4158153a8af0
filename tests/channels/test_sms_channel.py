"""SMS over real HTTP: signed Twilio webhooks into the web app, replies to a fake Twilio API."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.models import InboundMessage, OutboundMessage, Person, PersonAddress

PHONE = "+447700900123"


def count(app, model, *where) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_whole_conversation_by_sms(server, fake_twilio):
    sms = server.twilio
    assert server.sms(sms.sms(PHONE, "Hello")).status_code == 200
    [offer] = fake_twilio.wait_for(PHONE, 1)
    assert "1 Cymraeg\n2 English" in offer.body
    assert offer.status_callback == "https://cyswllt.example.cymru/twilio/status"

    server.sms(sms.sms(PHONE, "2"))
    replies = fake_twilio.wait_for_text(PHONE, "What would you like", since=1)
    assert "English" in replies[0].body

    seen = len(fake_twilio.to(PHONE))
    server.sms(sms.sms(PHONE, "cymraeg"))
    fake_twilio.wait_for_text(PHONE, "Beth hoffech chi", since=seen)

    seen = len(fake_twilio.to(PHONE))
    server.sms(sms.sms(PHONE, "STOPIO"))          # the Welsh opt-out word, which Twilio does not know
    fake_twilio.wait_for_text(PHONE, "DECHRAU", since=seen)
    server.sms(sms.sms(PHONE, "helo?"))
    server.sms(sms.sms(PHONE, "DECHRAU"))
    replies = fake_twilio.wait_for_text(PHONE, "Croeso", since=seen + 1)
    assert not any("helo" in m.body.lower() for m in replies)
    assert count(server.app, InboundMessage) == 6


def test_one_turn_goes_as_one_sms_when_that_costs_no_more(server, fake_twilio):
    server.sms(server.twilio.sms(PHONE, "Hello"))
    fake_twilio.wait_for(PHONE, 1)
    server.sms(server.twilio.sms(PHONE, "2"))
    server.drained()
    [offer, reply] = fake_twilio.to(PHONE)
    # "Thank you ... English" and the menu were two outbox rows of one turn: one SMS.
    assert "Thank you" in reply.body and "What would you like" in reply.body
    with server.app.sessions() as session:
        rows = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        assert {r.provider_id for r in rows[1:]} == {reply.sid}
        assert all(r.status == "sent" for r in rows)


def test_bad_or_missing_signatures_are_refused_and_nothing_is_stored(server, fake_twilio):
    form = server.twilio.sms(PHONE, "Hello")
    assert server.sms(form, signed=False).status_code == 403
    headers = server.twilio.sign("/twilio/sms", form)
    tampered = dict(form, Body="Hello!")
    assert server.http.post("/twilio/sms", data=tampered, headers=headers).status_code == 403
    wrong_key = server.twilio.validator.__class__("not-the-auth-token").compute_signature(
        "https://cyswllt.example.cymru/twilio/sms", form)
    assert server.http.post("/twilio/sms", data=form, headers={"X-Twilio-Signature": wrong_key}).status_code == 403
    # Signed for the URL the app itself sees (http://127.0.0.1:port): Twilio never does that.
    as_seen = server.twilio.sign("/twilio/sms", form, base_url=server.server.url)
    assert server.http.post("/twilio/sms", data=form, headers=as_seen).status_code == 403
    status = server.twilio.status("SM1", "delivered", PHONE)
    assert server.http.post("/twilio/status", data=status).status_code == 403
    assert count(server.app, InboundMessage) == 0
    assert count(server.app, OutboundMessage) == 0
    # ...and signed for the public URL, it is taken.
    assert server.sms(form).status_code == 200
    assert count(server.app, InboundMessage) == 1


def test_the_same_webhook_three_times_gets_one_reply(server, fake_twilio):
    form = server.twilio.sms(PHONE, "Hello")
    for _ in range(3):
        response = server.sms(form)
        assert response.status_code == 200
        assert "<Response>" in response.text
    server.drained()
    assert len(fake_twilio.to(PHONE)) == 1
    assert count(server.app, InboundMessage) == 1


def test_a_long_message_and_an_emoji_only_message_are_answered(server, fake_twilio):
    assert server.sms(server.twilio.sms(PHONE, "Rwy'n teimlo'n unig. " * 240)).status_code == 200
    fake_twilio.wait_for(PHONE, 1)
    assert server.sms(server.twilio.sms("+447700900124", "😀🎉👍")).status_code == 200
    fake_twilio.wait_for("+447700900124", 1)
    assert server.sms(server.twilio.sms("+447700900125", "\x00\x01\u202e bad \x7f")).status_code == 200
    assert server.sms(server.twilio.sms("+447700900126", "")).status_code == 200
    server.drained()
    with server.app.sessions() as session:
        stored = session.scalar(select(InboundMessage).where(InboundMessage.address == PHONE))
        assert len(stored.text) == len("Rwy'n teimlo'n unig. " * 240)   # kept whole


def test_twilio_opt_out_words_are_recorded_whatever_the_word(server, fake_twilio):
    # Twilio's Advanced Opt-Out can be set up with extra words; it says what it did in OptOutType.
    server.sms(server.twilio.sms(PHONE, "Hello"))
    fake_twilio.wait_for(PHONE, 1)
    server.sms(server.twilio.sms(PHONE, "STOP PLEASE", OptOutType="STOP"))
    server.drained()
    with server.app.sessions() as session:
        person = session.scalar(select(Person))
        assert person.opted_out
    server.sms(server.twilio.sms(PHONE, "yes start", OptOutType="START"))
    server.drained()
    with server.app.sessions() as session:
        assert not session.scalar(select(Person)).opted_out


def test_unsubscribed_number_is_marked_unreachable_and_not_retried(server, fake_twilio):
    fake_twilio.number_errors[PHONE] = 21610
    server.sms(server.twilio.sms(PHONE, "Hello"))
    server.drained()
    assert fake_twilio.to(PHONE) == []
    with server.app.sessions() as session:
        row = session.scalar(select(OutboundMessage))
        assert (row.status, row.attempts) == ("failed", 1)
        assert "21610" in row.last_error
        assert session.scalar(select(PersonAddress)).unreachable_at is not None
    # They write again (after texting START to Twilio): reachable, and answered.
    del fake_twilio.number_errors[PHONE]
    server.sms(server.twilio.sms(PHONE, "2"))
    fake_twilio.wait_for(PHONE, 1)
    with server.app.sessions() as session:
        assert session.scalar(select(PersonAddress)).unreachable_at is None


def test_an_invalid_number_is_not_retried(server, fake_twilio):
    fake_twilio.number_errors["+15005550001"] = 21211
    server.sms(server.twilio.sms("+15005550001", "Hello"))
    server.drained()
    with server.app.sessions() as session:
        assert session.scalar(select(OutboundMessage)).status == "failed"


def test_two_first_messages_at_once_from_one_number_are_both_handled(server, fake_twilio):
    from concurrent.futures import ThreadPoolExecutor

    forms = [server.twilio.sms(PHONE, words) for words in ("Hello", "Helo", "Hi", "Shwmae")]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda form: server.sms(form).status_code, forms))
    assert statuses == [200] * 4
    server.drained()
    with server.app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
        stored = session.scalars(select(InboundMessage.status)).all()
        assert stored == ["processed"] * 4
