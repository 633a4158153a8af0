"""A person who chooses an activity says when they will go: the day before they are reminded (if they
asked), the day after their practitioner is asked whether they went, and the answer is a data set statement.

The clock starts on Monday 2 March 2026 at 10:00 (GMT); "next Tuesday" is 3 March. Wrexham Wellbeing
Walks meets on Tuesdays at 10:00 in the sample directory.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.checkins import set_contact_times
from storage.models import Booking, DataSetEvent, OutboundMessage
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner

ALYS_PHONE = "+447700900901"
TEXTS = {
    "en": {
        "search": "walking group in Wrexham", "go": "I'd like to go", "ask_when": "which day you'll go",
        "when": "next Tuesday", "ask_reminder": "reminder the day before", "yes": "yes please",
        "booked": "Noted: Wrexham Wellbeing Walks on Tuesday 3 March. I'll send you a reminder the day before.",
        "practitioner": "I'll ask your practitioner whether you went",
        "reminder": "A reminder: Wrexham Wellbeing Walks is tomorrow at 10:00",
        "nudge": "Did Sam attend Wrexham Wellbeing Walks on Tuesday 3 March?", "recorded": "recorded that Sam attended",
    },
    "cy": {
        "search": "grŵp cerdded yn Wrecsam", "go": "Hoffwn i fynd", "ask_when": "pa ddiwrnod y byddwch chi'n mynd",
        "when": "dydd Mawrth nesaf", "ask_reminder": "nodyn atgoffa'r diwrnod cynt", "yes": "hoffwn",
        "booked": "Wedi'i nodi: Teithiau Llesiant Wrecsam ar ddydd Mawrth 3 Mawrth. Bydda i'n anfon nodyn atgoffa",
        "practitioner": "bydda i'n gofyn i'ch ymarferydd a aethoch chi",
        "reminder": "Nodyn atgoffa: mae Teithiau Llesiant Wrecsam yfory am 10:00",
        "nudge": "A aeth Sam i Deithiau Llesiant Wrecsam ar ddydd Mawrth 3 Mawrth?", "recorded": "Sam",
    },
}


def _refer_named(bot, language: str, name: str = "Sam", postcode: str = "LL30 1AA") -> None:
    """A referral that gives a first name (the practitioner knows the person by it) and skips the rest."""
    start_referral(bot, language)
    finish_quickly(bot, postcode, answers={"name": name})


def _choose_the_walk(bot, texts) -> None:
    bot.send("MENU")
    bot.send(texts["search"])
    bot.send("1")
    bot.send(texts["go"]).expect(texts["ask_when"])


def _only(replies, fragment: str) -> bool:
    return fragment.casefold() in replies.text.casefold()


@pytest.mark.parametrize("language", ["en", "cy"])
def test_book_remind_nudge_attend_in_both_languages(bot, language):
    texts = TEXTS[language]
    alys = linked_practitioner(bot, "Alys", "Conwy", ALYS_PHONE, areas=["LL"], language=language)
    _refer_named(bot, language)
    alys.deliver()
    _choose_the_walk(bot, texts)
    bot.send(texts["when"]).expect(texts["ask_reminder"]).expect_lang(language)
    bot.send(texts["yes"]).expect(texts["booked"], texts["practitioner"]).expect_lang(language)
    [booking] = bot.rows(Booking)
    assert booking.starts_at == datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)
    assert booking.remind_person and booking.first_name == "Sam" and booking.practitioner_id is not None
    assert bot.conversation().flow == "menu"

    assert not _only(bot.advance("6h"), texts["reminder"])                 # Monday 16:00: not yet
    bot.advance("1h").expect(texts["reminder"]).expect_lang(language)     # Monday 17:00, inside the hours
    assert not _only(bot.advance("1h"), texts["reminder"])                 # once only
    assert not _only(alys.advance("15h"), texts["nudge"])                  # Tuesday 09:00: the walk is today
    alys.advance("1d1h").expect(texts["nudge"]).expect_lang(language)      # Wednesday 10:00: the day after
    alys.press(f"nudge:{booking.id}:attended").expect(texts["recorded"])
    [attended] = [e for e in bot.rows(DataSetEvent) if e.source == "nudge"]
    assert (attended.statement, attended.value) == (109, {"attended": True, "asset_id": booking.asset_ref})
    assert bot.rows(Booking)[0].status == "attended"


def test_without_a_practitioner_only_the_person_is_reminded_and_told_so(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("Tuesday")
    bot.send("y").expect("on Tuesday 3 March", "reminder the day before",
                         "don't have a practitioner with us yet, so nobody else will be told",
                         absent=("ask your practitioner",))
    [booking] = bot.rows(Booking)
    assert booking.practitioner_id is None and booking.remind_person
    bot.advance("7h").expect("A reminder: Wrexham Wellbeing Walks is tomorrow at 10:00")
    bot.advance("2d")
    to_others = [m for m in bot.rows(OutboundMessage) if m.address != bot.address]
    assert to_others == []


def test_no_reminder_when_declined_and_a_day_the_directory_has_no_hours_for(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("Thursday").expect("doesn't usually run on Thursdays")   # asked once; the person knows best
    bot.send("1").expect("reminder the day before")
    bot.send("No thanks").expect("on Thursday 5 March. I won't send you a reminder")
    [booking] = bot.rows(Booking)
    assert not booking.remind_person
    assert booking.starts_at == datetime(2026, 3, 5, 0, 0, tzinfo=timezone.utc)   # the walk has no Thursday hours
    for _ in range(4):
        assert "A reminder" not in bot.advance("1d").text


def test_a_reminder_without_a_known_time_names_the_day_only(bot):
    bot.speaking("cy")
    _choose_the_walk(bot, TEXTS["cy"])
    bot.send("ddydd Iau").expect("ddim fel arfer yn cwrdd")
    bot.send("1")                                                         # Cadw'r diwrnod hwnnw
    bot.send("ie").expect("ar ddydd Iau 5 Mawrth")
    bot.advance("1d6h")                                                   # Tuesday 16:00
    bot.advance("1d1h").expect("Nodyn atgoffa: mae Teithiau Llesiant Wrecsam yfory.", absent=("00:00",))


def test_a_reminder_whose_evening_is_outside_the_persons_hours_comes_earlier_that_day(app, bot):
    bot.speaking("en")
    with app.sessions.begin() as session:
        set_contact_times(session, bot.person().id, "09:00", "12:00", app.clock.now())
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("10/3")                                                      # Tuesday 10 March
    bot.send("yes").expect("Tuesday 10 March")
    assert not _only(bot.advance("6d22h"), "A reminder")                 # Monday 9 March 08:00
    bot.advance("1h").expect("A reminder: Wrexham Wellbeing Walks is tomorrow at 10:00")   # 09:00, not 17:00
    [reminder] = [m for m in bot.rows(OutboundMessage) if (m.idempotency_key or "").startswith("booking:")]
    assert reminder.not_before == datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("messy, answer", [
    ("sometime soon", "couldn't read that as a date"),
    ("31/02", "doesn't exist"),
    ("1/1/2025", "already passed"),
    ("25/12/2030", "more than a year away"),
    ("🙂", "couldn't read that as a date"),
])
def test_messy_dates_are_explained_and_asked_again(bot, messy, answer):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send(messy).expect(answer, "which day you'll go")
    bot.send("29th December").expect("reminder the day before")        # a Tuesday, when the walk runs
    bot.send("maybe").expect("answer yes or no", "reminder the day before")
    bot.send("no").expect("on Tuesday 29 December")
    assert len(bot.rows(Booking)) == 1


@pytest.mark.parametrize("skip", ["skip", "SKIP", "hepgor", "I don't know yet", "1", "not yet"])
def test_skipping_the_date_books_nothing(bot, skip):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send(skip).expect("That's fine")
    assert bot.rows(Booking) == []
    assert bot.conversation().flow == "menu"


def test_stop_in_the_middle_stops_and_start_picks_up_the_question_again(bot):
    bot.speaking("en")
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("STOP").expect("won't get any more messages")
    bot.send("next Tuesday").expect_nothing()
    assert bot.rows(Booking) == []
    bot.send("START").expect("which day you'll go")
    bot.send("next Tuesday").expect("reminder the day before")
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
    assert not _only(bot.advance("10h"), "A reminder")                   # Tuesday 08:30: quiet still
    bot.advance("1h").expect("A reminder: Wrexham Wellbeing Walks is today at 10:00")   # from 09:00, before the walk
    assert not _only(bot.advance("1h"), "A reminder")                    # once only


def test_a_booking_made_on_the_day_itself_gets_no_reminder(bot):
    bot.speaking("en")
    bot.advance("23h")                                                    # Tuesday 09:00
    _choose_the_walk(bot, TEXTS["en"])
    bot.send("today")
    bot.send("yes").expect("Tuesday 3 March")
    assert "A reminder" not in bot.advance("50m").text
