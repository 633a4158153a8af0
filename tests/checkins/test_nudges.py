"""Attendance nudges: the practitioner is asked the day after, answers by button or number, and is
reminded once before open questions go into one daily digest; a person can ask to be reminded."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.nudges import record_booking
from bot.practitioners import add_practitioner
from storage.dataset.catalogue import load_catalogue
from storage.models import Booking, DataSetEvent, OutboundMessage, Person
from tests.checkins.support import consenting_person

UTC = timezone.utc
TUESDAY_2PM = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
PRACTITIONER_PHONE = "+447700900990"
CATALOGUE = load_catalogue()


@pytest.fixture
def practitioner(app, bot):
    """A linked practitioner, with the ConversationDriver for their phone."""
    with app.sessions.begin() as session:
        row, code = add_practitioner(session, "Alys", "Caerdydd", app.clock.now())
        practitioner_id = row.id
    phone = bot.as_(PRACTITIONER_PHONE)
    phone.send(f"LINK {code}").expect_key("practitioner.linked", name="Alys")
    return practitioner_id, phone


def _book(app, person_id, practitioner_id, starts_at=TUESDAY_2PM, first_name="Sam", remind=False) -> int:
    with app.sessions.begin() as session:
        booking = record_booking(session, person_id=person_id, practitioner_id=practitioner_id,
                                 asset_ref="oruk:service:walk-1", activity_cy="Taith gerdded Parc Bute",
                                 activity_en="Bute Park walking group", starts_at=starts_at, now=app.clock.now(),
                                 settings=app.settings, remind_person=remind, first_name=first_name)
        return booking.id


def _events(bot, source="nudge"):
    """(statement, attended?) for each data set event the answers recorded, checked against the catalogue."""
    events = bot.rows(DataSetEvent, source=source)
    assert all(CATALOGUE.problems(e.statement, e.value) == [] for e in events), [e.value for e in events]
    assert all(e.value["asset_id"] == "oruk:service:walk-1" for e in events)
    return [(e.statement, e.value.get("attended")) for e in events]


def test_the_practitioner_is_asked_the_day_after_and_answers_with_a_button(app, bot, practitioner):
    practitioner_id, phone = practitioner
    person_id = consenting_person(app, "+447700900701")
    booking_id = _book(app, person_id, practitioner_id)
    phone.advance("1d23h").expect_nothing()                    # Wednesday 09:00: not yet
    asked = phone.advance("1h").expect_key("nudge.question", activity="Bute Park walking group", day="Tuesday 3 March", name="Sam", choices=('nudge:1:attended', 'nudge:1:did_not_attend', 'nudge:1:not_yet', 'nudge:1:withdrew'))
    assert [o["value"] for o in asked.options] == [f"nudge:{booking_id}:{verb}" for verb in
                                                    ("attended", "did_not_attend", "not_yet", "withdrew")]
    phone.press(f"nudge:{booking_id}:attended").expect_key("nudge.recorded_attended", name="Sam")
    assert _events(bot) == [(109, True)]
    [event] = bot.rows(DataSetEvent, source="nudge")
    with app.sessions() as session:
        assert event.subject_key == session.get(Person, person_id).pseudonym   # about the person, not the practitioner
    assert bot.rows(Booking)[0].status == "attended"
    phone.press(f"nudge:{booking_id}:withdrew").expect_key("nudge.already_answered", lang="en")
    assert _events(bot) == [(109, True)]


@pytest.mark.parametrize("typed, recorded, thanks", [
    ("2", [(109, False), (106, None)], "did_not_attend"),      # did not attend: answers 109 "no", and is a DNA
    ("Withdrew", [(103, None)], "withdrew"),                   # disengaged from the activity
    ("did not attend", [(109, False), (106, None)], "did_not_attend"),
])
def test_the_practitioner_can_answer_by_number_or_words_on_sms(app, bot, practitioner, typed, recorded, thanks):
    practitioner_id, phone = practitioner
    _book(app, consenting_person(app, "+447700900702"), practitioner_id)
    phone.advance("2d").expect_key("nudge.question", name="Sam")
    phone.send(typed).expect_key(f"nudge.recorded_{thanks}", name="Sam")
    assert _events(bot) == recorded


def test_not_yet_is_asked_again_a_week_later(app, bot, practitioner):
    practitioner_id, phone = practitioner
    booking_id = _book(app, consenting_person(app, "+447700900703"), practitioner_id)
    phone.advance("2d")
    phone.press(f"nudge:{booking_id}:not_yet").expect_key("nudge.recorded_not_yet", lang="en")
    assert _events(bot) == []                           # not yet: nothing is known, so nothing is recorded
    phone.advance("6d").expect_nothing()
    phone.advance("1d").expect_key("nudge.question", name="Sam")
    phone.press(f"nudge:{booking_id}:attended")
    assert _events(bot) == [(109, True)]


def test_unanswered_nudges_are_reminded_once_then_go_into_one_daily_digest(app, bot, practitioner):
    practitioner_id, phone = practitioner
    for n, name in enumerate(["Sam", "Gwen", None]):
        _book(app, consenting_person(app, f"+44770090071{n}"), practitioner_id, first_name=name)
    phone.advance("2d")                                       # Wednesday 10:00: three questions
    phone.advance("1d").expect_key("nudge.reminder", lang="en", name="Sam")  # Thursday: one reminder each
    days = [phone.advance("1d") for _ in range(3)]            # Friday, Saturday, Sunday
    for day in days:
        assert len(day.messages) == 1, day.text               # one digest a day, not a pile
        day.expect_key("nudge.digest", count=3).expect("Sam: Bute Park walking group, Tuesday 3 March", "the person you referred:")
    to_practitioner = bot.rows(OutboundMessage, address=PRACTITIONER_PHONE)
    assert len([m for m in to_practitioner if (m.idempotency_key or "").startswith("nudge:")]) == 6


def test_list_shows_open_nudges_and_answering_moves_to_the_next(app, bot, practitioner):
    practitioner_id, phone = practitioner
    first = _book(app, consenting_person(app, "+447700900721"), practitioner_id, first_name="Sam")
    _book(app, consenting_person(app, "+447700900722"), practitioner_id, first_name="Gwen")
    phone.advance("2d")
    phone.send("LIST").expect("Waiting for you (2)", "(Sam, prefers English, SMS)", "(Gwen,",
                              before="(Gwen,")
    phone.press(f"nudge:{first}:attended").expect_key("nudge.recorded_attended", name="Sam").expect_key("nudge.question", name="Gwen")
    phone.send("1").expect_key("nudge.recorded_attended", name="Gwen")     # "1": Gwen's is the one question waiting
    phone.send("rhestr").expect_key("practitioner.nothing_open", lang="en")


def test_a_welsh_practitioner_is_asked_in_welsh(app, bot):
    with app.sessions.begin() as session:
        row, code = add_practitioner(session, "Siân", "Gwynedd", app.clock.now(), language="cy")
        practitioner_id = row.id
    phone = bot.as_("+447700900991")
    phone.send(f"LINK {code}")
    _book(app, consenting_person(app, "+447700900731"), practitioner_id, first_name="Dafydd")
    phone.advance("2d").expect_lang("cy").expect_key(choices=('nudge:1:attended', 'nudge:1:did_not_attend', 'nudge:1:not_yet', 'nudge:1:withdrew')).expect("A aeth Dafydd i Daith gerdded Parc Bute ar ddydd Mawrth 3 Mawrth?")


def test_a_nudge_for_someone_else_is_not_shown(app, bot, practitioner):
    practitioner_id, phone = practitioner
    with app.sessions.begin() as session:
        other, _ = add_practitioner(session, "Bethan", "Powys", app.clock.now())
        other_id = other.id
    booking_id = _book(app, consenting_person(app, "+447700900741"), other_id)
    phone.press(f"nudge:{booking_id}:attended").expect_key("nudge.not_found", lang="en")
    phone.press("nudge:not-a-number:attended").expect_key("nudge.not_found", lang="en")
    assert _events(bot) == []


def test_a_person_who_asked_is_reminded_the_day_before(app, bot, practitioner):
    practitioner_id, _ = practitioner
    person = bot.as_("+447700900751")
    person.speaking("cy")
    person_id = person.person().id
    _book(app, person_id, practitioner_id, starts_at=datetime(2026, 3, 4, 10, 30, tzinfo=UTC), remind=True)
    person.advance("6h").expect_nothing()                     # Monday 16:00
    person.advance("1d1h").expect_lang("cy").expect_key("booking.reminder", activity="Taith gerdded Parc Bute", time="10:30")  # Tuesday 17:00
    person.advance("1h").expect_nothing()
