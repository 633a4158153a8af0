"""WhatsApp over real HTTP: signed Twilio webhooks into the web app, replies and templates to a fake Twilio."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.catalog import Catalog
from bot.channels.base import Outgoing
from bot.channels.whatsapp.channel import WhatsAppChannel, inbound
from bot.checkins import plan_checkins
from bot.commands.status import gather, render
from bot.metrics import HELD
from bot.settings import WhatsAppTemplate
from storage.models import Conversation, InboundMessage, OutboundMessage, Person, PersonAddress
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
    assert "1 Refer myself" in menu.body and not menu.buttons and not menu.items   # too long for a list: numbered
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


# ---------------------------------------------------------------- list pickers
THEME_KEYS = ("lonely", "active", "mental", "money", "housing", "caring", "learning", "volunteering", "outdoors")


def wait_for_list(fake_twilio, since: int):
    """The first list-picker message to WA after the first `since`."""
    fake_twilio.sent.wait_for(lambda items: any(m.items for m in [m for m in items if m.to == WA][since:]), 20.0)
    return next(m for m in fake_twilio.to(WA)[since:] if m.items)


@pytest.mark.parametrize("language", ["cy", "en"])
def test_the_themes_question_goes_as_a_list_picker_in_their_language_and_a_pick_moves_on(
        server, fake_twilio, language):
    catalog = Catalog.load()
    wa = server.twilio
    whatsapp(server, wa.whatsapp(WA, "Hello"))
    fake_twilio.wait_for(WA, 1)
    whatsapp(server, wa.whatsapp(WA, language, ButtonPayload=language))
    menu = fake_twilio.wait_for_text(WA, catalog.text("menu.prompt", language)[:12], since=1)[-1]
    # The menu's labels are longer than a list item (24): numbered lines, as before.
    assert not menu.items and not menu.buttons and "\n1 " in menu.body
    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, "1"))                                   # refer myself
    consent = fake_twilio.wait_for_text(WA, catalog.text("consent.question", language)[:20], since=seen)[-1]
    # Three options: buttons if each is at most 20 characters (English), else a list (Welsh).
    assert [value for _, value in consent.buttons or consent.items] == ["yes", "no", "privacy"]
    assert bool(consent.items) == (language == "cy")
    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, "", ButtonPayload="yes"))
    fake_twilio.wait_for_text(WA, catalog.text("referral.what_matters", language)[:20], since=seen)
    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, "Getting out more"))

    themes = wait_for_list(fake_twilio, seen)
    assert themes.body == catalog.text("referral.themes", language)      # the items are in the list
    assert themes.list_button == catalog.text("whatsapp.list_button", language)
    labels = [catalog.text(f"referral.theme_{key}", language) for key in THEME_KEYS]
    assert themes.items == (*zip(labels, THEME_KEYS), (catalog.text("referral.option_done", language), "done"))

    # A pick comes back as ListId: the list stays open (one pick at a time) until Done.
    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, labels[3], ListId="money", ListTitle=labels[3]))
    again = wait_for_list(fake_twilio, seen)
    assert again.items == themes.items and again.content_sid == themes.content_sid
    seen = len(fake_twilio.to(WA))
    whatsapp(server, wa.whatsapp(WA, "", ListId="done"))
    fake_twilio.wait_for_text(WA, catalog.text("referral.reasons", language)[:20], since=seen)
    server.drained()
    with server.app.sessions() as session:
        state = session.scalar(select(Conversation)).state
    assert state["themes"] == ["money"] and state["step"] == "reasons"
    # One Content per kind and count, made once across every message (the themes' list went twice).
    names = [c["friendly_name"] for c in fake_twilio.contents.values()]
    assert len(names) == len(set(names)) and "cyswllt-list-picker-10" in names
    consent_kind = "cyswllt-list-picker-3" if language == "cy" else "cyswllt-quick-reply-3"
    assert {"cyswllt-quick-reply-2", consent_kind} <= set(names)
    [picker] = [c for c in fake_twilio.contents.values() if c["friendly_name"] == "cyswllt-list-picker-10"]
    assert picker["types"]["twilio/list-picker"]["items"][0] == {"item": "{{3}}", "id": "{{4}}"}


def test_a_list_pick_reads_as_the_options_value():
    picked = inbound({"MessageSid": "SM1", "From": WA, "Body": "Housing", "ListId": "housing", "ListTitle": "Housing"})
    assert (picked.text, picked.choice) == (None, "housing")


def outgoing(options, language="en", body="Pick one"):
    return Outgoing(1, "whatsapp", WA, body, tuple(options), language=language)


def options(count, label="Option {n}"):
    return [{"value": f"v{n}", "label": label.format(n=n)} for n in range(1, count + 1)]


def test_options_that_do_not_fit_a_list_go_as_numbered_text(channel_settings, fake_twilio):
    channel_settings.twilio.whatsapp_from = WHATSAPP_FROM
    channel = WhatsAppChannel(channel_settings)

    async def send_all():
        await channel.start()
        try:
            for message in (outgoing(options(11)),                                    # more than 10
                            outgoing(options(5, "A label far longer than twenty-four {n}")),
                            outgoing([{"value": "1", "label": "Open", "command": "OPEN 12"}] * 4),
                            outgoing(options(5), language="cy"),
                            outgoing(options(6), language="cy+en"),
                            outgoing(options(5))):
                assert (await channel.send(message)).kind == "sent"
        finally:
            await channel.stop()

    asyncio.run(send_all())
    too_many, too_long, commands, welsh, bilingual, english = fake_twilio.to(WA)
    for numbered in (too_many, too_long, commands):
        assert not numbered.items and numbered.content_sid is None
    assert "\n11 Option 11" in too_many.body and "OPEN 12" in commands.body
    assert welsh.items == tuple((f"Option {n}", f"v{n}") for n in range(1, 6)) and welsh.list_button == "Dewisiadau"
    assert bilingual.list_button == "Dewisiadau / Options" and len(bilingual.items) == 6
    assert english.list_button == "Options" and english.content_sid == welsh.content_sid   # made once
    assert sorted(c["friendly_name"] for c in fake_twilio.contents.values()) == [
        "cyswllt-list-picker-5", "cyswllt-list-picker-6"]
