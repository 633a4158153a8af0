"""WhatsApp over real HTTP: signed Twilio webhooks into the web app, replies and templates to a fake Twilio."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.channels.whatsapp.channel import inbound
from bot.checkins import plan_checkins
from bot.commands.status import gather, render
from bot.metrics import HELD
from bot.settings import WhatsAppTemplate
from storage.models import InboundMessage, OutboundMessage, Person, PersonAddress
from tests.support.fake_twilio import WHATSAPP_FROM

PHONE = "+447700900321"
WA = "whatsapp:" + PHONE
FOLLOW_UP_SID = "HX" + "f" * 32


@pytest.fixture
def channel_settings(channel_settings):
    """The channels' settings, with a WhatsApp sender and one approved template (week-6 check-in, English)."""
    channel_settings.twilio.whatsapp_from = WHATSAPP_FROM
    channel_settings.whatsapp.templates = {"checkin.offer_follow_up": {"en": WhatsAppTemplate(
        content_sid=FOLLOW_UP_SID, variables=["count"])}}
    return channel_settings


def count(app, model, *where) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def whatsapp(server, form, signed: bool = True):
    headers = server.twilio.sign("/twilio/whatsapp", form) if signed else {}
    return server.http.post("/twilio/whatsapp", data=form, headers=headers)


def test_a_whole_conversation_on_whatsapp(server, fake_twilio):
    wa = server.twilio
    assert whatsapp(server, wa.whatsapp(WA, "Hello")).status_code == 200
    [offer] = fake_twilio.wait_for(WA, 1)
    # Two short options: quick-reply buttons (Content made once, found again by its name).
    assert "Which language" in offer.body and offer.buttons == (("Cymraeg", "cy"), ("English", "en"))
    assert offer.from_ == WHATSAPP_FROM
    assert offer.status_callback == "https://cyswllt.example.cymru/twilio/whatsapp/status"
    [content] = fake_twilio.contents.values()
    assert content["friendly_name"] == "cyswllt-quick-reply-2"

    whatsapp(server, wa.whatsapp(WA, "English", ButtonPayload="en", ButtonText="English"))   # a tap
    menu = fake_twilio.wait_for_text(WA, "What would you like", since=1)[-1]
    assert "1 Refer myself" in menu.body and not menu.buttons      # four options: numbered
    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, "cymraeg"))
    fake_twilio.wait_for_text(WA, "Beth hoffech chi", since=seen)

    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, "STOPIO"))     # our Welsh opt-out word
    fake_twilio.wait_for_text(WA, "DECHRAU", since=seen)
    whatsapp(server, wa.whatsapp(WA, "helo?"))
    whatsapp(server, wa.whatsapp(WA, "DECHRAU"))
    replies = fake_twilio.wait_for_text(WA, "Croeso", since=seen + 1)
    assert not any("helo" in m.body.lower() for m in replies)
    assert count(server.app, InboundMessage, InboundMessage.channel == "whatsapp") == 6

    # Its delivery status comes back as SMS's does, on WhatsApp's own callback.
    status = wa.status(offer.sid, "read", WA)
    response = server.http.post("/twilio/whatsapp/status", data=status,
                                headers=wa.sign("/twilio/whatsapp/status", status))
    assert response.status_code == 204
    with server.app.sessions() as session:
        row = session.scalar(select(OutboundMessage).where(OutboundMessage.provider_id == offer.sid))
        assert (row.channel, row.provider_status) == ("whatsapp", "read")


def test_bad_or_missing_signatures_are_refused_and_nothing_is_stored(server, fake_twilio):
    form = server.twilio.whatsapp(WA, "Hello")
    assert whatsapp(server, form, signed=False).status_code == 403
    tampered = dict(form, Body="Hello!")
    headers = server.twilio.sign("/twilio/whatsapp", form)
    assert server.http.post("/twilio/whatsapp", data=tampered, headers=headers).status_code == 403
    # Signed for the SMS webhook, or for the URL the app itself sees: not this one.
    sms_signed = server.twilio.sign("/twilio/sms", form)
    assert server.http.post("/twilio/whatsapp", data=form, headers=sms_signed).status_code == 403
    as_seen = server.twilio.sign("/twilio/whatsapp", form, base_url=server.server.url)
    assert server.http.post("/twilio/whatsapp", data=form, headers=as_seen).status_code == 403
    status = server.twilio.status("SM1", "delivered", WA)
    assert server.http.post("/twilio/whatsapp/status", data=status).status_code == 403
    assert count(server.app, InboundMessage) == 0
    assert count(server.app, OutboundMessage) == 0
    assert whatsapp(server, form).status_code == 200
    assert count(server.app, InboundMessage) == 1


def test_the_same_webhook_three_times_gets_one_reply(server, fake_twilio):
    form = server.twilio.whatsapp(WA, "Hello")
    for _ in range(3):
        response = whatsapp(server, form)
        assert response.status_code == 200 and "<Response>" in response.text
    server.drained()
    assert len(fake_twilio.to(WA)) == 1
    assert count(server.app, InboundMessage) == 1


def test_a_photo_with_no_words_gets_a_kind_reply_in_both_languages_then_in_theirs(server, fake_twilio):
    whatsapp(server, server.twilio.whatsapp(WA, "", media=1))
    [reply, *_] = fake_twilio.wait_for(WA, 1)
    assert "Dim ond geiriau y galla i eu darllen" in reply.body and "I can only read words" in reply.body
    server.drained()
    seen = len(fake_twilio.to(WA))
    whatsapp(server, server.twilio.whatsapp(WA, "2"))            # English, from the language question asked again
    fake_twilio.wait_for_text(WA, "What would you like", since=seen)
    seen = len(fake_twilio.to(WA))
    whatsapp(server, server.twilio.whatsapp(WA, "", media=2))
    replies = fake_twilio.wait_for_text(WA, "I can only read words", since=seen)
    assert "Dim ond" not in replies[0].body
    # A photo with a caption is read as words.
    assert inbound(server.twilio.whatsapp(WA, "I feel lonely", media=1)).media is False


def test_twilio_opt_out_and_whatsapp_buttons(server, fake_twilio):
    whatsapp(server, server.twilio.whatsapp(WA, "Hello"))
    fake_twilio.wait_for(WA, 1)
    # Twilio's opt-out handling (Advanced Opt-Out) says what it did; its words count as on SMS.
    whatsapp(server, server.twilio.whatsapp(WA, "cancel"))
    server.drained()
    with server.app.sessions() as session:
        assert session.scalar(select(Person)).opted_out
    whatsapp(server, server.twilio.whatsapp(WA, "yes start", OptOutType="START"))
    server.drained()
    with server.app.sessions() as session:
        assert not session.scalar(select(Person)).opted_out
    # A template's quick-reply button comes back as its payload: the option's value.
    tapped = inbound(server.twilio.whatsapp(WA, "English", ButtonPayload="en", ButtonText="English"))
    assert (tapped.text, tapped.choice) == (None, "en")


def test_sms_and_whatsapp_from_one_number_are_one_person_answered_where_they_last_wrote(server, fake_twilio):
    server.sms(server.twilio.sms(PHONE, "Hello"))
    fake_twilio.wait_for(PHONE, 1)
    server.sms(server.twilio.sms(PHONE, "2"))
    fake_twilio.wait_for_text(PHONE, "What would you like", since=1)
    whatsapp(server, server.twilio.whatsapp(WA, "menu"))
    [menu] = fake_twilio.wait_for(WA, 1)
    assert "What would you like" in menu.body     # carried on in English: the same person
    server.drained()
    with server.app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
        addresses = session.scalars(select(PersonAddress.channel).order_by(PersonAddress.id)).all()
        assert addresses == ["sms", "whatsapp"]
    assert len(fake_twilio.to(PHONE)) == 2          # nothing more by SMS


def test_a_check_in_invitation_at_day_42_goes_as_a_template_and_one_without_is_held(server, fake_twilio):
    app = server.app
    whatsapp(server, server.twilio.whatsapp(WA, "Hello"))
    whatsapp(server, server.twilio.whatsapp(WA, "2"))
    fake_twilio.wait_for_text(WA, "What would you like")
    server.drained()
    sent_before = len(fake_twilio.to(WA))
    held_before = HELD.labels("whatsapp", "checkin.offer_baseline")._value.get()
    now = app.clock.now()
    with app.sessions.begin() as session:
        person = session.scalar(select(Person))
        # Referred 42 days ago, and not heard from since: the week-6 check-in is due, the window long shut.
        plan_checkins(session, person, now - timedelta(days=42), app.settings)
        session.execute(update(PersonAddress).values(last_seen_at=now - timedelta(days=42)))
        session.execute(update(InboundMessage).values(received_at=now - timedelta(days=42)))
    fake_twilio.window_closed.add(WA)              # free-form now would be refused (63016)
    app.settings.quiet_hours.start, app.settings.quiet_hours.end = "00:00", "23:59"
    app.run_due_work()
    with app.sessions.begin() as session:
        rows = session.scalars(select(OutboundMessage).where(OutboundMessage.idempotency_key.like("checkin:%"))).all()
        [follow_up] = [r for r in rows if r.template]
        assert follow_up.template == {"content_sid": FOLLOW_UP_SID, "variables": {"1": "4"}}
        [baseline] = [r for r in rows if not r.template]
        # No approved template for the baseline invitation: held and said, never sent free-form.
        assert baseline.status == "held" and "no template for checkin.offer_baseline (en)" in baseline.last_error
        follow_up.not_before = now                 # due now, whatever the quiet hours say
    [template] = fake_twilio.wait_for(WA, sent_before + 1)[sent_before:]
    assert (template.content_sid, template.content_variables, template.body) == (FOLLOW_UP_SID, {"1": "4"}, "")
    server.drained()
    assert len(fake_twilio.to(WA)) == sent_before + 1
    assert HELD.labels("whatsapp", "checkin.offer_baseline")._value.get() == held_before + 1
    report = gather(app.settings)
    assert {"channel": "whatsapp", "status": "held", "count": 1} in report["undelivered"]
    assert "whatsapp held 1" in render(report)

    # They write again: inside the window, what is due goes free-form.
    fake_twilio.window_closed.discard(WA)
    whatsapp(server, server.twilio.whatsapp(WA, "menu"))
    fake_twilio.wait_for_text(WA, "What would you like", since=sent_before + 1)
