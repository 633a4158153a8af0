"""Practitioners link their chat with a one-time code; a wrong or expired code gives no access."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

from bot.practitioners import add_practitioner
from flows.practitioner import NeedText, action_value
from flows.base import Ask, Option, Say
from storage.models import Practitioner


def add(app, name="Alys", team="Caerdydd", **kwargs):
    with app.sessions.begin() as session:
        practitioner, code = add_practitioner(session, name, team, app.clock.now(), **kwargs)
        return practitioner.id, code


def test_a_practitioner_links_by_sms_with_their_code(app, bot):
    pid, code = add(app)
    practitioner_phone = bot.as_("+447700900999")
    practitioner_phone.send(f"LINK {code}").expect_key("practitioner.linked", name="Alys")
    [row] = bot.rows(Practitioner, id=pid)
    assert row.person_id == practitioner_phone.person().id
    assert row.link_code_hash is None, "a code works once"


def test_a_practitioner_links_by_telegram_in_welsh(app, telegram_bot):
    _, code = add(app, name="Siân", language="cy")
    telegram_bot.send(f"/link {code.lower()}").expect_key("practitioner.linked", name="Siân").expect_lang("cy")
    telegram_bot.send("rhestr").expect_key("practitioner.nothing_open", lang="cy")


def test_a_wrong_code_is_refused_kindly_and_gives_no_access(app, bot):
    add(app)
    bot.send("LINK ABCD-EFGH").expect_key("practitioner.link_failed", lang="cy+en")
    assert not bot.rows(Practitioner)[0].person_id
    bot.send("hi").expect_key(choices=('cy', 'en'))  # an ordinary conversation goes on


def test_an_expired_code_is_refused(app, bot, clock):
    _, code = add(app, code_ttl=timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    bot.send(f"link {code}").expect_key("practitioner.link_failed", lang="cy+en")


def test_a_code_cannot_be_used_twice(app, bot):
    _, code = add(app)
    bot.as_("+447700900999").send(f"LINK {code}")
    bot.as_("+447700900888").send(f"LINK {code}").expect_key("practitioner.link_failed", lang="cy+en")


def test_a_practitioners_button_reaches_the_feature_that_owns_it(app, bot):
    seen = []

    def on_alert(turn, practitioner, answer):
        seen.append((practitioner.name, answer.target, answer.verb, answer.text))
        if answer.verb == "reason":
            return NeedText("practitioner.commands", action_value("alert", answer.target, "reason_given"))
        turn.reply(Say("practitioner.nothing_open"))
        return None

    app.dispatcher.practitioner_actions.register("alert", on_alert)
    _, code = add(app)
    phone = bot.as_("+447700900999")
    phone.send(f"LINK {code}")
    phone.press("alert:7:ack")
    phone.send("1").expect_key("practitioner.nothing_waiting", lang="en")  # no item waits for an answer
    phone.press("alert:7:reason").expect_key("practitioner.commands", lang="en")
    phone.send("They are safe with family now")
    assert seen == [("Alys", "7", "ack", ""), ("Alys", "7", "reason", ""),
                    ("Alys", "7", "reason_given", "They are safe with family now")]


def test_a_later_message_with_options_does_not_change_what_a_number_means(app, bot):
    """Options belong to their own message: one queued later never replaces them (issue 15)."""
    seen = []
    app.dispatcher.practitioner_actions.register("alert", lambda t, p, a: seen.append(a.verb))
    pid, code = add(app)
    phone = bot.as_("+447700900999")
    phone.send(f"LINK {code}")
    person = phone.person()
    from bot.outbox import queue_message
    with app.sessions.begin() as session:
        queue_message(session, app.catalog, Ask("practitioner.commands", (
            Option(action_value("alert", 3, "ack"), "consent.option_yes"),
            Option(action_value("alert", 3, "later"), "consent.option_no"))),
            channel="sms", address=phone.address, now=app.clock.now(),
            person=session.get(type(person), person.id))
    phone.deliver()
    phone.send("1").expect_key("practitioner.nothing_waiting", lang="en")   # alert 3 is not an item waiting for them
    assert seen == []


def test_the_cli_adds_a_practitioner_and_prints_a_code(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "practitioner", "add", "Gareth", "--team", "Gwynedd",
         "--areas", "LL,SY20", "--safeguarding-lead", "--db", database_url],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"link code [A-Z2-9]{4}-[A-Z2-9]{4}", result.stdout)
    listing = subprocess.run([sys.executable, "-m", "bot.cli", "practitioner", "list", "--db", database_url],
                             capture_output=True, text=True, timeout=60)
    assert "Gareth" in listing.stdout and "safeguarding lead" in listing.stdout
