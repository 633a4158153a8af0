"""Honest promises: a named team member is said to know only after an acknowledgement; until then
the crisis reply says when the team works and that the contacts are the way to get help now."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.bootstrap import build_app
from tests.safeguarding.tier_messages import CLEAR
from tests.support.conversation import ConversationDriver
from tests.support.team import linked_practitioner

IN_HOURS = {"en": ("We are telling our team now (they work Mon-Fri 09:00-17:00)", "these numbers are the way to get help"),
            "cy": ("Rydyn ni'n dweud wrth ein staff nawr (maen nhw'n gweithio Llun-Gwener 09:00-17:00)",
                   "y rhifau hyn yw'r ffordd o gael help")}
OUT_OF_HOURS = {"en": ("they work Mon-Fri 09:00-17:00, not now", "these numbers are the way to get help now"),
                "cy": ("maen nhw'n gweithio Llun-Gwener 09:00-17:00, nid nawr", "y rhifau hyn yw'r ffordd o gael help nawr")}
ACKNOWLEDGED = {"en": "Alys from our team has read your message", "cy": "Mae Alys o'n tîm ni wedi darllen eich neges"}
# Nothing said before an acknowledgement may claim a person knows.
FALSE_PROMISES = ("knows you got in touch", "Alys", "will be in touch", "I am letting someone",
                  "ni'n gwybod", "Rydw i'n rhoi gwybod")
MONDAY_NIGHT = datetime(2026, 3, 2, 22, 0, tzinfo=timezone.utc)
SATURDAY = datetime(2026, 3, 7, 11, 0, tzinfo=timezone.utc)
SUMMER_MONDAY_8_30_LOCAL = datetime(2026, 7, 6, 7, 30, tzinfo=timezone.utc)  # 08:30 BST: before hours


def lead_of(bot):
    return linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True, rank=1)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_in_hours_the_reply_gives_the_hours_and_a_name_only_after_the_acknowledgement(bot, language):
    lead = lead_of(bot)
    bot.speaking(language)
    bot.send(CLEAR[language]).expect(*IN_HOURS[language], absent=FALSE_PROMISES)
    bot.send("ok").expect_lang(language)  # the gentle word after the crisis: still no promise
    bot.advance("10m").expect_nothing()
    lead.press("alert:1:ack").expect("you have acknowledged alert 1")
    bot.deliver().expect(ACKNOWLEDGED[language]).expect_lang(language)
    lead.press("alert:1:ack")  # a second press tells the person nothing new
    bot.deliver().expect_nothing()


@pytest.mark.parametrize("when", [MONDAY_NIGHT, SATURDAY, SUMMER_MONDAY_8_30_LOCAL], ids=["night", "weekend", "early"])
@pytest.mark.parametrize("language", ["en", "cy"])
def test_out_of_hours_the_reply_says_the_team_is_not_working_now(bot, clock, language, when):
    lead = lead_of(bot)
    bot.speaking(language)
    clock.set(when)
    bot.send(CLEAR[language]).expect(*OUT_OF_HOURS[language], absent=FALSE_PROMISES)
    lead.deliver().expect("SAFEGUARDING ALERT")  # the alert still goes, whatever the hour
    lead.press("alert:1:ack")
    bot.deliver().expect(ACKNOWLEDGED[language])


def test_service_hours_come_from_settings(settings, clock):
    settings.service.hours_days = ["mon", "wed", "thu", "sat"]
    settings.service.hours_start = "10:30"
    settings.service.hours_end = "14:00"
    app = build_app(settings, clock=clock)  # Monday 10:00: before the team starts
    try:
        bot = ConversationDriver(app)
        lead_of(bot)
        bot.speaking("en")
        bot.send(CLEAR["en"]).expect("they work Mon, Wed-Thu, Sat 10:30-14:00, not now")
    finally:
        app.close()


def test_an_acknowledgement_reaches_someone_who_texted_stop(bot):
    lead = lead_of(bot)
    bot.speaking("en")
    bot.send("STOP")
    bot.send(CLEAR["en"]).expect("116 123")
    lead.press("alert:1:ack")
    bot.deliver().expect(ACKNOWLEDGED["en"])
