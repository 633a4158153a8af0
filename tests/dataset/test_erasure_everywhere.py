"""Erasure reaches every copy of a person's data, including messages sent to practitioners about them.

The referral summary, the safeguarding alert, the acknowledgement, the LIST and the erasure
request all go to a practitioner's chat, so their outbox rows are addressed to the practitioner;
they still carry the person's words and details, and erasure must redact them (and subject access
must show them).
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.models import OutboundMessage, Person
from storage.rights import erase, subject_access
from tests.dataset.test_rights import every_row_as_text
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner

NAME = "Zebedee Quarrington"
DOB = "12/03/1961"
NHS = "943 476 5919"
PHONE = "07700 900456"
WHAT_MATTERS = "my allotment Quixotic-YQW"
DISCLOSURE = "I want to kill myself Xylophone-KJQ"
# How each shows in a message or a row (an NHS number and a phone are stored compactly).
MARKERS = ("Zebedee", "Quarrington", "1961", "9434765919", "943 476 5919", "900456", "Quixotic", "Xylophone")


def _referral_answers(bot):
    finish_quickly(bot, answers={"what_matters": WHAT_MATTERS, "name": NAME, "dob": DOB, "nhs": NHS,
                                 "phone": PHONE},
                   presses={"contact_how": "phone"})


def _a_person_known_to_a_practitioner(telegram_bot):
    bot = telegram_bot
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", channel="sms", areas=["CF"], lead=True)
    start_referral(bot)
    _referral_answers(bot)
    alys.deliver().expect("NEW REFERRAL", "Quixotic")
    bot.send(DISCLOSURE)
    alys.deliver().expect("SAFEGUARDING ALERT", "Xylophone")
    alys.send("LIST").expect("Xylophone")
    alys.press("alert:1:ack").expect(bot.address)
    bot.send("delete my data")
    bot.send("1")
    alys.deliver()
    return alys


def _practitioner_rows(app, practitioner_address):
    with app.sessions() as session:
        return session.scalars(
            OutboundMessage.__table__.select().where(OutboundMessage.address == practitioner_address)).all()


def test_subject_access_includes_what_practitioners_were_sent_about_the_person(telegram_bot, app):
    alys = _a_person_known_to_a_practitioner(telegram_bot)
    with app.sessions() as session:
        me = session.get(Person, telegram_bot.person().id)
        held = subject_access(session, me)["tables"]
    bodies = " ".join(row["body"] or "" for row in held["outbound_message"])
    for fragment in ("NEW REFERRAL", "Quixotic", "SAFEGUARDING ALERT", "Xylophone", "943 476 5919", "07700900456"):
        assert fragment in bodies, f"{fragment!r} was sent to a practitioner but is missing from subject access"
    # Only what is about this person: the practitioner's own LINK confirmation is not theirs.
    assert not any("Alys" in (row["body"] or "") and "linked" in (row["body"] or "").casefold()
                   for row in held["outbound_message"] if row["address"] == alys.address)


def test_erasure_redacts_every_message_about_the_person_whoever_it_was_sent_to(telegram_bot, app):
    alys = _a_person_known_to_a_practitioner(telegram_bot)
    before = every_row_as_text(app.engine)
    assert any("Xylophone" in row for row in before["outbound_message"])
    practitioner_rows = len([m for m in telegram_bot.rows(OutboundMessage) if m.address == alys.address])

    with app.sessions.begin() as session:
        erase(session, session.get(Person, telegram_bot.person().id), app.clock.now())

    for table, rows in every_row_as_text(app.engine).items():
        for row in rows:
            for marker in (*MARKERS, telegram_bot.address):
                assert marker not in row, f"{table} still holds {marker!r} after erasure: {row}"
    # Redacted, not deleted: the practitioner's record that something was sent stays.
    assert len([m for m in telegram_bot.rows(OutboundMessage) if m.address == alys.address]) == practitioner_rows
    # The practitioner's chat goes on working.
    alys.send("LIST").expect_lang("en")


def test_sqlite_overwrites_deleted_content(app):
    if app.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL clears dead rows with VACUUM (docs/data-protection.md)")
    with app.engine.connect() as connection:
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1


def test_sqlite_connections_are_set_to_overwrite_deleted_content(tmp_path):
    # Some SQLite builds default to secure_delete and some do not: the connection sets it.
    import sqlite3

    from storage.db import _sqlite_pragmas
    connection = sqlite3.connect(tmp_path / "x.db")
    connection.execute("PRAGMA secure_delete=OFF")
    _sqlite_pragmas(connection, None)
    assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)


def test_subject_access_leaves_out_whom_the_messages_about_them_went_to(telegram_bot, app):
    alys = _a_person_known_to_a_practitioner(telegram_bot)
    with app.sessions() as session:
        held = subject_access(session, session.get(Person, telegram_bot.person().id))["tables"]
    about = [row for row in held["outbound_message"] if "SAFEGUARDING ALERT" in (row["body"] or "")]
    assert about and all(row["address"] is None for row in about)
    assert alys.address not in str(held)
