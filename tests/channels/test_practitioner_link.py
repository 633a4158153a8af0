"""Practitioners link their Telegram account or phone number with a one-time code, over the real channels."""
from __future__ import annotations

import contextlib
import io
import re

from sqlalchemy import select

from bot.cli import main as cyswllt
from storage.models import Practitioner


def issue_code(database_url: str, name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cyswllt(["practitioner", "add", name, "--team", "Caerdydd", "--db", database_url]) == 0
    return re.search(r"link code (\S+)", out.getvalue()).group(1).rstrip(",")


def linked_person(app, name: str):
    with app.sessions() as session:
        return session.scalar(select(Practitioner).where(Practitioner.name == name)).person_id


def test_a_practitioner_links_over_telegram_and_a_wrong_code_gets_no_access(server, fake_telegram,
                                                                             database_url):
    code = issue_code(database_url, "Ceri")
    chat = 880
    server.telegram(server.updates.text(chat, "/link WRONG-9999"))
    fake_telegram.wait_for_text(chat, "isn't right")
    assert linked_person(server.app, "Ceri") is None

    seen = len(fake_telegram.to(chat))
    assert server.telegram(server.updates.text(chat, f"/link {code}")).status_code == 200
    fake_telegram.wait_for_text(chat, "linked to Cyswllt as a practitioner", since=seen)
    assert linked_person(server.app, "Ceri") is not None

    seen = len(fake_telegram.to(chat))
    server.telegram(server.updates.text(chat + 1, f"/link {code}"))   # one-time: a second use fails
    fake_telegram.wait_for_text(chat + 1, "isn't right")


def test_a_practitioner_links_by_sms(server, fake_twilio, database_url):
    code = issue_code(database_url, "Dafydd")
    phone = "+447700900777"
    server.sms(server.twilio.sms(phone, "LINK 0000-0000"))
    fake_twilio.wait_for_text(phone, "isn't right")
    assert linked_person(server.app, "Dafydd") is None
    server.sms(server.twilio.sms(phone, f"LINK {code}"))
    fake_twilio.wait_for_text(phone, "linked to Cyswllt as a practitioner")
    assert linked_person(server.app, "Dafydd") is not None
