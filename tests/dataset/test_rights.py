"""Data rights: erasure leaves nothing personal in any table, subject access is complete, retention."""
from __future__ import annotations

import json

from sqlalchemy import Column, ForeignKey, Integer, String, Table, inspect, select, text

from bot.cli import main
from storage.models import (
    Base, DataSetEvent, DataSetScore, ErasureRequest, InboundMessage, OutboundMessage, Person,
)
from storage.rights import erase, subject_access, unclassified

ADDRESS = "+447700900123"
OTHER = "+447700900999"
SECRET_WORDS = "my neighbour Marmalade-ZQX knows"


def converse(bot):
    """A short real conversation that leaves rows in every core table."""
    bot.send("Helo")
    bot.send("2")
    bot.send(SECRET_WORDS)
    bot.send("delete my data")
    bot.send("1")


def person_id(bot) -> int:
    return bot.person().id


def every_row_as_text(engine) -> dict[str, list[str]]:
    """Every table in the database (not only the ones we know of), every row, as text."""
    found = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
            found[name] = [" | ".join(str(v) for v in row) for row in rows]
    return found


def test_every_table_is_classified():
    assert unclassified() == {}


def test_a_new_table_with_unclassified_text_is_flagged():
    table = Table("referral_note_example", Base.metadata, Column("id", Integer, primary_key=True),
                  Column("person_id", ForeignKey("person.id")), Column("note", String(200)))
    try:
        assert unclassified() == {"referral_note_example": [
            "note", "(links to person: add a TablePolicy saying what erasure does)"]}
    finally:
        Base.metadata.remove(table)


def test_erasure_leaves_no_personal_data_in_any_table(bot, app):
    converse(bot)
    other = bot.as_(OTHER)
    other.send("Helo")
    other.send("1")
    me = bot.person()
    pseudonym, my_id = me.pseudonym, me.id
    # A check-in score, so that its copy in dataset_score is there to be checked too.
    with app.sessions.begin() as session:
        session.add(DataSetEvent(statement=64, subject_key=pseudonym, person_id=my_id, occurred_at=app.clock.now(),
                                 value={"instrument": "ons4", "wave": "baseline", "happiness": 7, "anxiety": 3}))
    scores_before = _scores_of(app, pseudonym)
    assert [item for item, _ in scores_before] == ["anxiety", "happiness"]
    events_before = len(bot.rows(DataSetEvent, subject_key=pseudonym))
    assert events_before >= 1 and bot.rows(ErasureRequest, person_id=my_id)

    with app.sessions.begin() as session:
        erase(session, session.get(Person, my_id), app.clock.now())

    rows = every_row_as_text(app.engine)
    for table, texts in rows.items():
        for row in texts:
            assert ADDRESS not in row and "900123" not in row, f"{table} still holds the phone number: {row}"
            assert "Marmalade" not in row, f"{table} still holds what they wrote: {row}"
    # Nothing links to the erased person; their pseudonymous events remain, unlinked.
    with app.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                for fk in column.foreign_keys:
                    if fk.column.table.name == "person":
                        count = connection.execute(select(table).where(column == my_id)).all()
                        assert not count, f"{table.name}.{column.name} still points at the erased person"
    kept = bot.rows(DataSetEvent, subject_key=pseudonym)
    assert len(kept) == events_before and all(e.person_id is None for e in kept)
    # The scores copied from their events stay with them, pseudonymous and with no link (rights.py).
    assert _scores_of(app, pseudonym) == scores_before
    assert [r.status for r in bot.rows(ErasureRequest)] == ["done"]
    assert bot.person() is None
    # The other person is untouched.
    assert other.person() is not None and other.rows(InboundMessage, address=OTHER)


def _scores_of(app, pseudonym: str) -> list[tuple[str, float]]:
    with app.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(DataSetScore.item, DataSetScore.score).where(DataSetScore.subject_key == pseudonym)
            .order_by(DataSetScore.item))]


def test_erasure_by_command_line_with_a_national_number(bot, app, monkeypatch, capsys):
    converse(bot)
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", app.settings.database.url)
    assert main(["person", "erase", "07700 900123"]) == 0
    assert "would erase the person at +44*******123" in capsys.readouterr().out
    assert bot.person() is not None
    assert main(["person", "erase", "07700 900123", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "erased the person at" in out and ADDRESS not in out
    assert bot.person() is None
    assert main(["person", "erase", ADDRESS, "--yes"]) == 1


def test_subject_access_export_is_complete(bot, app, monkeypatch, tmp_path):
    converse(bot)
    me = bot.person()
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", app.settings.database.url)
    out = tmp_path / "me.json"
    assert main(["person", "export", ADDRESS, "--out", str(out)]) == 0
    held = json.loads(out.read_text(encoding="utf-8"))["tables"]
    # Every row of every table that points at the person is in the export.
    with app.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            links = [c for c in table.columns if any(fk.column.table.name == "person" for fk in c.foreign_keys)]
            for column in links:
                ids = {r.id for r in connection.execute(select(table).where(column == me.id))}
                assert ids <= {row["id"] for row in held.get(table.name, [])}, table.name
    assert held["person"][0]["pseudonym"] == me.pseudonym
    assert held["person_address"][0]["address"] == ADDRESS
    assert SECRET_WORDS in [m["text"] for m in held["inbound_message"]]
    assert any("Croeso i Gyswllt" in (m["body"] or "") for m in held["outbound_message"])
    assert {e["statement"] for e in held["dataset_event"]} >= {13}
    assert held["erasure_request"][0]["status"] == "pending"


def test_delete_my_data_asks_then_creates_one_request(bot):
    bot.send("Helo")
    bot.send("2")
    bot.send("Please delete my data!").expect("delete your data", "practitioner", options=True)
    bot.send("1").expect("within one month")
    assert [(r.status, r.channel) for r in bot.rows(ErasureRequest)] == [("pending", "sms")]
    bot.send("delete my data").expect("already with a practitioner")
    assert len(bot.rows(ErasureRequest)) == 1


def test_dileu_fy_nata_in_welsh_and_changing_ones_mind(bot):
    bot.send("Helo")
    bot.send("1")
    bot.send("Dileu fy nata").expect("Fe ofynnoch chi", options=True).expect_lang("cy")
    bot.send("2").expect("does dim byd wedi'i ddileu")
    assert bot.rows(ErasureRequest) == []


def test_someone_who_said_stop_can_still_ask_and_hears_nothing(bot):
    bot.send("Helo")
    bot.send("2")
    bot.send("STOP")
    bot.send("delete my data").expect_nothing()
    assert [r.status for r in bot.rows(ErasureRequest)] == ["pending"]


def test_pending_requests_are_listed_masked(bot, app, monkeypatch, capsys):
    converse(bot)
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", app.settings.database.url)
    assert main(["person", "requests"]) == 0
    out = capsys.readouterr().out
    assert "+44*******123" in out and ADDRESS not in out
    request = bot.rows(ErasureRequest)[0]
    assert main(["person", "requests", "--cancel", str(request.id)]) == 0
    assert bot.rows(ErasureRequest)[0].status == "cancelled"


def test_retention_blanks_old_message_text_only(bot, app):
    bot.send("Helo")
    bot.send("2")
    bot.send(SECRET_WORDS)
    bot.advance("89d")
    assert SECRET_WORDS in [m.text for m in bot.rows(InboundMessage)]
    bot.send("a newer message")
    bot.advance("2d")                       # the first messages are now 91 days old
    texts = [m.text for m in bot.rows(InboundMessage)]
    assert SECRET_WORDS not in texts and "a newer message" in texts
    bodies = [m.body for m in bot.rows(OutboundMessage)]
    assert bodies.count(None) >= 3 and any(bodies)
    assert bot.rows(DataSetEvent)             # the data set is kept


def test_retention_period_is_a_setting(settings, clock):
    from bot.bootstrap import build_app
    from tests.support.conversation import ConversationDriver

    settings.privacy.message_retention_days = 7
    app = build_app(settings, clock=clock)
    try:
        bot = ConversationDriver(app)
        bot.send(SECRET_WORDS)
        bot.advance("8d")
        assert [m.text for m in bot.rows(InboundMessage)] == [None]
    finally:
        app.close()


def linked_practitioner(app, bot, phone="+447700900555", language="en"):
    from bot.practitioners import add_practitioner

    with app.sessions.begin() as session:
        _, code = add_practitioner(session, "Alys", "Caerdydd", app.clock.now(), language=language)
    practitioner = bot.as_(phone)
    practitioner.send(f"LINK {code}")
    return practitioner


def test_a_linked_practitioner_confirms_the_erasure_in_the_chat(app, bot):
    practitioner = linked_practitioner(app, bot)
    converse(bot)
    message = practitioner.deliver().expect("Erasure request", "+44*******123", "ERASE", "KEEP", absent=(ADDRESS,))
    assert len(message.messages) == 1
    request = bot.rows(ErasureRequest)[0]
    practitioner.send("1").expect(f"ERASE {request.id}")        # never by a bare number
    assert bot.person() is not None
    practitioner.send(f"ERASE {request.id}").expect(f"Erase request {request.id}", "cannot be undone")
    practitioner.send("yes").expect("Done", "erased")
    assert bot.person() is None
    assert [r.status for r in bot.rows(ErasureRequest)] == ["done"]
    practitioner.press(f"erase:{request.id}:confirm").expect("already been dealt with")  # an old button


def test_a_practitioner_can_put_off_or_cancel_a_request(app, bot):
    practitioner = linked_practitioner(app, bot, language="cy")
    converse(bot)
    practitioner.deliver().expect("Cais dileu", "DILEU", "CADW").expect_lang("cy")
    request = bot.rows(ErasureRequest)[0]
    practitioner.send(f"dileu {request.id}").expect(f"Dileu cais {request.id}")
    practitioner.send("na").expect("yn dal i aros")
    assert bot.person() is not None
    practitioner.send(f"CADW {request.id}").expect("wedi'i gau")
    assert bot.rows(ErasureRequest)[0].status == "cancelled"


def test_erasure_and_access_cover_tables_two_links_away(bot, app):
    """Check-in answers (via the check-in) and an alert's log (via the alert) are found and erased."""
    from storage.models import (
        AlertEvent, AssetSignpost, Booking, Checkin, CheckinAnswer, CheckinScore, ContactPreference,
        Referral, SafeguardingAlert,
    )

    converse(bot)
    my_id = bot.person().id
    now = app.clock.now()
    with app.sessions.begin() as session:
        checkin = Checkin(person_id=my_id, wave="baseline", questionnaires=["ons4"], status="completed",
                          due_at=now, created_at=now)
        alert = SafeguardingAlert(person_id=my_id, channel="sms", address=ADDRESS, excerpt=SECRET_WORDS,
                                  detected_by=["nlu"], status="open", alerted=[], raised_at=now)
        session.add_all([checkin, alert])
        session.flush()
        session.add_all([
            CheckinAnswer(checkin_id=checkin.id, questionnaire="ons4", item="happy", value=3,
                          status="answered", answered_at=now),
            CheckinScore(checkin_id=checkin.id, person_id=my_id, wave="baseline", questionnaire="ons4",
                         measure="happy", raw=3, value=3.0, band="low", computed_at=now),
            AlertEvent(alert_id=alert.id, at=now, kind="further_message", detail={"excerpt": SECRET_WORDS}),
            Referral(person_id=my_id, status="submitted", answers={"why": SECRET_WORDS}, created_at=now,
                     updated_at=now),
            ContactPreference(person_id=my_id, start="09:00", end="17:00", updated_at=now),
            Booking(person_id=my_id, asset_ref="a1", activity_cy="Cerdded", activity_en="Walking",
                    first_name="Marmalade", starts_at=now, nudge_due_at=now, created_at=now),
            AssetSignpost(person_id=my_id, service_id="a1", service_name="Walking", kind="signposted",
                          created_at=now),
        ])
    with app.sessions.begin() as session:
        held = subject_access(session, session.get(Person, my_id))["tables"]
    assert [a["item"] for a in held["checkin_answer"]] == ["happy"]
    assert [e["kind"] for e in held["alert_event"]] == ["further_message"]

    with app.sessions.begin() as session:
        erase(session, session.get(Person, my_id), app.clock.now())

    for model in (Checkin, CheckinAnswer, CheckinScore, Referral, ContactPreference, Booking, AssetSignpost):
        assert bot.rows(model) == [], model.__tablename__
    # The safeguarding record is kept, detached: no link, no address, no words.
    [kept] = bot.rows(SafeguardingAlert)
    assert (kept.person_id, kept.address, kept.excerpt, kept.status) == (None, "", "", "open")
    [event] = bot.rows(AlertEvent)
    assert (event.alert_id, event.kind, event.detail) == (kept.id, "further_message", {})
    for table, texts in every_row_as_text(app.engine).items():
        for row in texts:
            assert "Marmalade" not in row and "900123" not in row, f"{table}: {row}"
