"""Removing a practitioner, routing by language, unaccepted referrals to the team lead (issue 15)."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from bot.catalog import Catalog
from bot.commands.status import unaccepted_referrals
from bot.practitioner_removal import remove_practitioner
from bot.practitioners import reads_welsh
from bot.referrals import Referrals
from bot.safeguarding import Safeguarding
from bot.sms_segments import measure
from flows.practitioner_commands import ACTIONS, WORDS, Command, fold, read_command
from flows.registry import FLOWS
from storage.models import Practitioner, Referral, SafeguardingAlert
from tests.practitioners.support import alert_from, referred
from tests.support.team import linked_practitioner


def _remove(bot, name: str):
    app = bot.app
    with app.sessions.begin() as session:
        practitioner = session.query(Practitioner).filter_by(name=name).one()
        return remove_practitioner(session, practitioner, app.clock.now(),
                                   referrals=Referrals(app.settings, app.catalog),
                                   safeguarding=Safeguarding(app.settings, app.catalog, FLOWS))


def test_removal_mid_escalation_moves_everything_on_at_once(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"], lead=True, rank=1)
    bryn = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902", rank=2)
    referral = referred(bot, "+447700900801")            # round robin: Alys first
    alert = alert_from(bot, "+447700900802")
    alys.deliver().expect_key("safeguarding.alert", alert=alert)
    bryn.deliver()
    alys_id, bryn_id = (bot.rows(Practitioner, name=n)[0].id for n in ("Alys", "Bryn"))
    assert bot.rows(Referral, id=referral)[0].practitioner_id == alys_id     # the round robin starts with her
    moved = _remove(bot, "Alys")
    assert moved == {"referrals": 1, "alerts": 1, "nudges": 0}
    bryn.deliver().expect_key("safeguarding.alert_escalated", alert=alert).expect_key("referral.practitioner_new_short", id=referral)
    [row] = bot.rows(Practitioner, name="Alys")
    assert not row.active and row.person_id is None and row.removed_at is not None
    assert bot.rows(Referral, id=referral)[0].practitioner_id == bryn_id     # back to the team's round robin
    later = referred(bot, "+447700900804")
    assert bot.rows(Referral, id=later)[0].practitioner_id == bryn_id        # no more referrals to her
    alys.send(f"ACK {alert}")                                # no longer a practitioner: nothing acts
    assert bot.rows(SafeguardingAlert, id=alert)[0].status == "open"
    alert_from(bot, "+447700900803")
    bot.advance("1h")
    alerts = {"safeguarding.alert", "safeguarding.alert_escalated", "safeguarding.alert_further", "practitioner.item_alert"}
    assert not alerts & set(alys.deliver().keys)     # no more alerts to a leaver


def test_a_person_who_chose_welsh_goes_to_a_welsh_speaker(bot):
    linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    linked_practitioner(bot, "Siân", "Caerdydd", "+447700900902", language="cy")
    with bot.app.sessions() as session:
        assert [reads_welsh(p) for p in session.query(Practitioner).order_by(Practitioner.id)] == [False, True]
    siân_id = bot.rows(Practitioner, name="Siân")[0].id
    for n in range(3):
        referral = referred(bot, f"+44770090082{n}", language="cy")
        assert bot.rows(Referral, id=referral)[0].practitioner_id == siân_id
    english = referred(bot, "+447700900829", language="en")
    assert bot.rows(Referral, id=english)[0].practitioner_id is not None


def test_an_unaccepted_referral_goes_to_the_team_lead_and_into_status(bot):
    lead = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"], lead=True)
    bryn = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902")
    with bot.app.sessions.begin() as session:
        session.get(Practitioner, bot.rows(Practitioner, name="Alys")[0].id).safeguarding_lead = True
    referral = referred(bot, "+447700900841")
    bryn_id = bot.rows(Practitioner, name="Bryn")[0].id
    with bot.app.sessions.begin() as session:
        session.get(Referral, referral).practitioner_id = bryn_id     # Bryn holds it and does nothing
    lead.deliver(), bryn.deliver()
    settings = bot.app.settings.referral
    bot.advance(timedelta(hours=settings.accept_reminder_after_hours + 1))
    bryn.deliver().expect_key("referral.practitioner_accept_reminder", lang="en")
    lead.deliver().expect_nothing()
    assert unaccepted_referrals(bot.app.engine, bot.app.clock.now(), bot.app.settings) == []
    bot.advance(timedelta(hours=settings.escalate_to_lead_after_hours))
    lead.deliver().expect_key("referral.practitioner_to_lead", id=referral, who="Sam, prefers English, SMS").expect(f"ACCEPT {referral}")
    [row] = unaccepted_referrals(bot.app.engine, bot.app.clock.now(), bot.app.settings)
    assert row["referral"] == referral
    bot.advance("1d")
    lead.deliver().expect_nothing()                                  # once


def test_the_sms_referral_is_short_in_welsh():
    catalog = Catalog.load()
    params = dict(id=123, who="Sioned, yn dewis Cymraeg, SMS", address="+447700900123",
                  what="\n\"Dw i'n teimlo'n unig ers i fy ngŵr farw ac mae'n anodd mynd allan...\"")
    body = catalog.text("referral.practitioner_new_short", "cy", **params)
    commands = " / ".join(catalog.text(f"practitioner.command_{c}", "cy", n=123)
                          for c in ("accept", "called", "notforus", "redirect"))
    size = measure(body + "\n" + commands)
    print(f"Welsh SMS referral: {size.segments} segments ({len(body + commands)} characters)")
    assert size.segments <= 4


def test_every_command_word_in_both_languages_reads_as_its_command():
    for name, by_lang in WORDS.items():
        assert set(by_lang) == {"cy", "en"}, name
        for words in by_lang.values():
            for word in words:
                expected = Command(name, 7) if ACTIONS[name].needs_number else Command(name)
                text = f"{word} 7" if ACTIONS[name].needs_number else word
                for variant in (text, text.upper(), text.replace(" 7", "7")):
                    assert read_command(variant) == expected, (variant, read_command(variant))


def test_the_commands_shown_are_commands_read():
    catalog = Catalog.load()
    for name in ACTIONS:
        key = f"practitioner.command_{name}"
        if not catalog.has(key):
            continue
        for lang in ("cy", "en"):
            shown = catalog.text(key, lang, n=5).split(" 5")[0]
            assert fold(shown) in {fold(w) for w in WORDS[name][lang]}, (lang, shown)


def test_the_cli_lists_and_removes_a_practitioner(database_url):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bot.cli", "practitioner", *args, "--db", database_url],
                              capture_output=True, text=True, timeout=120)
    assert cli("add", "Gareth", "--team", "Gwynedd", "--areas", "LL", "--speaks", "cy,en").returncode == 0
    listing = cli("list").stdout
    assert "Gareth" in listing and "active" in listing and "speaks cy,en (Welsh)" in listing
    removed = cli("remove", "Gareth")
    assert removed.returncode == 0, removed.stderr
    assert "removed" in removed.stdout
    assert "removed" in cli("list").stdout
    assert cli("remove", "Nobody").returncode == 1
