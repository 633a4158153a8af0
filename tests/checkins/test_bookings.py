"""A person who chooses an activity says when they will go: the day before they are reminded (if they
asked), the day after their practitioner is asked whether they went, and the answer is a data set statement.

The clock starts on Monday 2 March 2026 at 10:00 (GMT); "next Tuesday" is 3 March. Wrexham Wellbeing
Walks meets on Tuesdays at 10:00 in the sample directory.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.send_policy import set_contact_times
from storage.models import Booking, DataSetEvent, OutboundMessage
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner

ALYS_PHONE = "+447700900901"
TEXTS = {
    "en": {
        "search": "walking group in Wrexham", "go": "I'd like to go",
        "when": "next Tuesday", "yes": "yes please",
        "walk": "Wrexham Wellbeing Walks", "day": "Tuesday 3 March",
    },
    "cy": {
        "search": "grŵp cerdded yn Wrecsam", "go": "Hoffwn i fynd",
        "when": "dydd Mawrth nesaf", "yes": "hoffwn",
        "walk": "Teithiau Llesiant Wrecsam", "day": "dydd Mawrth 3 Mawrth",
    },
}


def _refer_named(bot, language: str, name: str = "Sam", postcode: str = "LL30 1AA") -> None:
    """A referral that gives a first name (the practitioner knows the person by it) and skips the rest."""
    start_referral(bot, language)
    finish_quickly(bot, postcode, answers={"name": name})


# Every form of the reminder to the person (with a time, on the day itself, with no time known).
REMINDERS = {"booking.reminder", "booking.reminder_today", "booking.reminder_no_time"}


def _reminded(replies) -> bool:
    return bool(REMINDERS & set(replies.keys))


def _choose_the_walk(bot, texts) -> None:
    bot.send("MENU")
    bot.send(texts["search"])
    bot.send("1")
    bot.send(texts["go"]).expect_key("assets.ask_when")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_book_remind_nudge_attend_in_both_languages(bot, language):
    texts = TEXTS[language]
    alys = linked_practitioner(bot, "Alys", "Conwy", ALYS_PHONE, areas=["LL"], language=language)
    _refer_named(bot, language)
    alys.deliver()
    _choose_the_walk(bot, texts)
    bot.send(texts["when"]).expect_key("assets.ask_reminder", lang=language).expect_lang(language)
    bot.send(texts["yes"]).expect_key("assets.booked_with_reminder", lang=language, name=texts["walk"],
                                      day=texts["day"]).expect_key("assets.booked_practitioner_asked", lang=language)
    [booking] = bot.rows(Booking)
    assert booking.starts_at == datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)
    assert booking.remind_person and booking.first_name == "Sam" and booking.practitioner_id is not None
    assert bot.conversation().flow == "menu"

    assert "booking.reminder" not in bot.advance("6h").keys                 # Monday 16:00: not yet
    bot.advance("1h").expect_key("booking.reminder", lang=language, activity=texts["walk"], time="10:00")  # Monday 17:00
    assert "booking.reminder" not in bot.advance("1h").keys                 # once only
    assert "nudge.question" not in alys.advance("15h").keys                 # Tuesday 09:00: the walk is today
    alys.advance("1d1h").expect_key("nudge.question", lang=language, name="Sam", activity=texts["walk"],
                                    day=texts["day"])                       # Wednesday 10:00: the day after
    alys.press(f"nudge:{booking.id}:attended").expect_key("nudge.recorded_attended", lang=language, name="Sam")
    [attended] = [e for e in bot.rows(DataSetEvent) if e.source == "nudge"]
    assert (attended.statement, attended.value) == (109, {"attended": True, "asset_id": booking.asset_ref})
    assert bot.rows(Booking)[0].status == "attended"


def test_without_a_practitioner_only_the_person_is_reminded_and_told_so(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("Tuesday")
    bot.send("y").expect_key("assets.booked_nobody_told", lang="en", absent=('assets.booked_practitioner_asked',)).expect_key("assets.booked_with_reminder", day="Tuesday 3 March")
    [booking] = bot.rows(Booking)
    assert booking.practitioner_id is None and booking.remind_person
    bot.advance("7h").expect_key("booking.reminder", activity="Wrexham Wellbeing Walks", time="10:00")
    bot.advance("2d")
    to_others = [m for m in bot.rows(OutboundMessage) if m.address != bot.address]
    assert to_others == []


def test_no_reminder_when_declined_and_a_day_the_directory_has_no_hours_for(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("Thursday").expect_key("snags.not_on_that_day", day=["assets.day.th"])   # asked once; the person knows best
    bot.send("1").expect_key("assets.ask_reminder", lang="en")
    bot.send("No thanks").expect_key("assets.booked_without_reminder", day="Thursday 5 March")
    [booking] = bot.rows(Booking)
    assert not booking.remind_person
    assert booking.starts_at == datetime(2026, 3, 5, 0, 0, tzinfo=timezone.utc)   # the walk has no Thursday hours
    for _ in range(4):
        assert not _reminded(bot.advance("1d"))


def test_a_reminder_without_a_known_time_names_the_day_only(bot):
    bot.speaking("cy")
    _choose_the_walk(bot, TEXTS["cy"])
    bot.send("ddydd Iau").expect_key("snags.not_on_that_day", lang="cy")
    bot.send("1")                                                         # Cadw'r diwrnod hwnnw
    bot.send("ie").expect("ar ddydd Iau 5 Mawrth")
    bot.advance("1d6h")                                                   # Tuesday 16:00
    bot.advance("1d1h").expect_key("booking.reminder_no_time", activity="Teithiau Llesiant Wrecsam").expect(absent=("00:00",))


def test_a_reminder_whose_evening_is_outside_the_persons_hours_comes_earlier_that_day(app, bot):
    bot.speaking("en")
    with app.sessions.begin() as session:
        set_contact_times(session, bot.person().id, "09:00", "12:00", app.clock.now())
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("10/3")                                                      # Tuesday 10 March
    bot.send("yes").expect("Tuesday 10 March")
    assert not _reminded(bot.advance("6d22h"))                 # Monday 9 March 08:00
    bot.advance("1h").expect_key("booking.reminder", activity="Wrexham Wellbeing Walks", time="10:00")   # 09:00, not 17:00
    [reminder] = [m for m in bot.rows(OutboundMessage) if (m.idempotency_key or "").startswith("booking:")]
    assert reminder.not_before == datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("messy, answer", [
    ("sometime soon", "assets.when_not_understood"),
    ("31/02", "assets.when_impossible"),
    ("1/1/2025", "assets.when_past"),
    ("25/12/2030", "assets.when_too_far"),
    ("🙂", "assets.when_not_understood"),
])
def test_messy_dates_are_explained_and_asked_again(bot, messy, answer):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send(messy).expect_key(answer, "assets.ask_when", lang="en")
    bot.send("29th December").expect_key("assets.ask_reminder", lang="en")        # a Tuesday, when the walk runs
    bot.send("maybe").expect_key("assets.remind_not_understood", "assets.ask_reminder", lang="en")
    bot.send("no").expect_key("assets.booked_without_reminder", day="Tuesday 29 December")
    assert len(bot.rows(Booking)) == 1


@pytest.mark.parametrize("skip", ["skip", "SKIP", "hepgor", "I don't know yet", "1", "not yet"])
def test_skipping_the_date_books_nothing(bot, skip):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send(skip).expect_key("assets.no_date", lang="en")
    assert bot.rows(Booking) == []
    assert bot.conversation().flow == "menu"


def test_stop_in_the_middle_stops_and_start_picks_up_the_question_again(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("STOP").expect_key("optout.confirmed", lang="en")
    bot.send("next Tuesday").expect_nothing()
    assert bot.rows(Booking) == []
    bot.send("START").expect_key("assets.ask_when", lang="en")
    bot.send("next Tuesday").expect_key("assets.ask_reminder", lang="en")
    bot.send("yes").expect("Tuesday 3 March")
    assert len(bot.rows(Booking)) == 1


def test_stop_after_booking_means_no_reminder(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("next Tuesday")
    bot.send("yes")
    bot.send("STOP")
    bot.advance("7h").expect_nothing()


def test_a_booking_made_too_late_for_the_evening_before_is_reminded_on_the_morning_itself(bot):
    bot.speaking("en")
    bot.advance("12h30m")                                                 # Monday 22:30, after their hours
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("tomorrow")                                                  # Tuesday 3 March, 10:00
    bot.send("yes").expect("Tuesday 3 March")
    assert not _reminded(bot.advance("10h"))                   # Tuesday 08:30: quiet still
    bot.advance("1h").expect_key("booking.reminder_today", activity="Wrexham Wellbeing Walks", time="10:00")   # from 09:00, before the walk
    assert not _reminded(bot.advance("1h"))                    # once only


def test_a_booking_made_on_the_day_itself_gets_no_reminder(bot):
    bot.speaking("en")
    bot.advance("23h")                                                    # Tuesday 09:00
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("today")
    bot.send("yes").expect("Tuesday 3 March")
    assert not _reminded(bot.advance("50m"))
