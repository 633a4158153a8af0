"""What happens around a referral after it is sent: a reminder to accept it, and the person told when it closes."""
from __future__ import annotations

from datetime import timedelta

from bot.report.builder import compute
from storage.dataset.catalogue import load_catalogue
from storage.dataset.period import Period
from storage.models import Checkin, DataSetEvent, OutboundMessage, Referral
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner


def _referred(bot, language="en"):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    start_referral(bot, language)
    finish_quickly(bot)
    alys.deliver().expect_key("referral.practitioner_new_short", lang="en")
    bot.deliver()
    return alys


def test_a_referral_nobody_accepts_reminds_its_practitioner_once(bot):
    alys = _referred(bot)
    bot.advance("1d")
    alys.deliver().expect_nothing()
    bot.advance("1d")
    alys.deliver().expect_key("referral.practitioner_accept_reminder", days=2, id=1, who="prefers English, SMS").expect("ACCEPT 1")
    alys.send("1").expect_key("referral.practitioner_accepted", id=1)
    bot.advance("3d")
    alys.deliver().expect_nothing()
    assert len(bot.rows(OutboundMessage, catalog_key="referral.practitioner_accept_reminder")) == 1


def test_an_accepted_referral_is_not_chased(bot):
    alys = _referred(bot)
    alys.send("1").expect_key("referral.practitioner_accepted", lang="en")
    bot.advance("3d")
    alys.deliver().expect_nothing()


def test_closed_as_not_appropriate_the_person_is_told_kindly_and_check_ins_stop(bot, clock):
    alys = _referred(bot)
    assert {c.status for c in bot.rows(Checkin)} <= {"planned", "offered"}
    alys.press("referral:1:not_appropriate").expect_key("referral.practitioner_ask_reason", lang="en")
    alys.send("Needs the crisis team, passed on by phone").expect_key("referral.practitioner_closed", lang="en")
    bot.deliver().expect_key("referral.person_closed_not_appropriate", lang="en")
    assert not any("crisis team" in (m.body or "") for m in bot.rows(OutboundMessage)
                   if m.address == bot.address), "the practitioner's reason is not sent to the person"
    assert {c.status for c in bot.rows(Checkin)} == {"cancelled"}
    assert bot.rows(Referral)[0].status == "not_appropriate"


def test_redirected_in_welsh_the_person_is_told_in_welsh(bot):
    alys = _referred(bot, "cy")
    alys.press("referral:1:redirect").expect_key("referral.practitioner_ask_service", lang="en")
    alys.send("Cyngor ar Bopeth").expect_key("referral.practitioner_closed", lang="en")
    bot.deliver().expect_key("referral.person_redirected", lang="cy")
    bot.advance("7w").expect_nothing()  # no follow-up check-in after the referral closed


def test_a_redirected_referral_is_counted_in_the_report_as_redirected(bot, app, clock):
    """AILGYFEIRIO records statement 49 marked redirected; the report shows it on its own row."""
    alys = _referred(bot)
    alys.send("ailgyfeirio 1").expect("which service")
    alys.send("Cyngor ar Bopeth").expect("closed")
    [event] = [e for e in bot.rows(DataSetEvent) if e.statement == 49]
    assert event.value == {"inappropriate": True, "redirected": True}
    assert event.flag is True and event.subject_key == bot.person().pseudonym
    assert bot.rows(Referral)[0].status == "redirected"
    today = clock.now().date()
    figures = compute(app.engine, Period.of_days(today - timedelta(days=7), today), load_catalogue(), threshold=1)
    outcomes = figures["referral_outcomes"]
    assert (outcomes["referred"], outcomes["redirected"], outcomes["not_appropriate"]) == (1, 1, 0)
    assert outcomes["redirected_share"] == 1.0
