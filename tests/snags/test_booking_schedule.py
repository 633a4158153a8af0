"""A booking on a day the activity does not run is questioned kindly, with the days it does run.

The clock starts on Monday 2 March 2026; Wrexham Wellbeing Walks meets on Tuesdays (sample directory).
"""
from __future__ import annotations

import pytest

from bot.asset_handlers import weekly_days
from storage.models import AssetService, Booking

TEXTS = {
    "en": {"search": "walking group in Wrexham", "go": "I'd like to go", "wrong": "Friday",
           "right": "next Tuesday", "yes": "yes please",
           "booked_tuesday": "Tuesday 3 March", "booked_friday": "Friday 6 March"},
    "cy": {"search": "grŵp cerdded yn Wrecsam", "go": "Hoffwn i fynd", "wrong": "dydd Gwener",
           "right": "dydd Mawrth nesaf", "yes": "hoffwn",
           "booked_tuesday": "dydd Mawrth 3 Mawrth", "booked_friday": "dydd Gwener 6 Mawrth"},
}


def choose_the_walk(bot, texts):
    bot.send(texts["search"])
    bot.send("1")
    bot.send(texts["go"])


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_day_it_does_not_run_is_questioned_and_another_day_taken(bot, language):
    texts = TEXTS[language]
    bot.speaking(language)
    choose_the_walk(bot, texts)
    bot.send(texts["wrong"]).expect_key("snags.not_on_that_day", lang=language, day=["assets.day.fr"],
                                        days=["assets.day.tu"], choices=("keep", "other"))
    assert bot.rows(Booking) == []
    bot.send(texts["right"]).expect_key("assets.ask_reminder", lang=language)        # a day typed straight away is the new day
    bot.send(texts["yes"]).expect(texts["booked_tuesday"])
    assert len(bot.rows(Booking)) == 1


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_person_may_keep_the_day_they_gave(bot, language):
    texts = TEXTS[language]
    bot.speaking(language)
    choose_the_walk(bot, texts)
    bot.send(texts["wrong"]).expect_key("snags.not_on_that_day", day=["assets.day.fr"], choices=("keep", "other"))
    bot.send("1").expect_key("assets.ask_reminder", lang=language)                    # Keep that day
    bot.send(texts["yes"]).expect(texts["booked_friday"])


@pytest.mark.parametrize("language, other, ask_when", [("en", "2", "which day you'll go"),
                                                       ("cy", "na", "pa ddiwrnod y byddwch chi'n mynd")])
def test_choosing_another_day_asks_again(bot, language, other, ask_when):
    texts = TEXTS[language]
    bot.speaking(language)
    choose_the_walk(bot, texts)
    bot.send(texts["wrong"])
    bot.send(other).expect_key("assets.ask_when", lang=language)
    bot.send(texts["right"]).expect_key("assets.ask_reminder", lang=language)


def test_a_day_it_runs_on_is_not_questioned(bot):
    bot.speaking("en")
    choose_the_walk(bot, TEXTS["en"])
    bot.send("Tuesday").expect_key("assets.ask_reminder", lang="en", absent=('snags.not_on_that_day',))


def test_only_weekly_days_the_directory_names_are_checked(bot):
    bot.speaking("en")
    bot.send("walking group in Wrexham")              # loads the sample directory
    with bot.app.sessions() as session:
        services = session.query(AssetService).all()
        runs = {s.name: weekly_days(s) for s in services}
        assert runs["Wrexham Wellbeing Walks"] == ["TU"]
        for service in services:
            if any(not (sched.byday or "").strip() for sched in service.schedules) or not service.schedules:
                assert runs[service.name] == []
