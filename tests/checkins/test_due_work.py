"""The check-in due work: offers, reminders (at most two), expiry, quiet hours across DST, run twice."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.checkins import cancel_pending, plan_checkins
from bot.send_policy import set_contact_times
from storage.models import Checkin, OutboundMessage, Person
from tests.checkins.support import consenting_person
from tests.support.conversation import ConversationDriver
from tests.support.instruments import ask_all_three

UTC = timezone.utc


@pytest.fixture
def settings(settings):
    # These tests walk the three original instruments item by item. By default a check-in a person
    # starts, and every interim wave, asks ONS-4 alone, and baseline adds social well-being
    # (tests/table2/test_waves.py): here every check-in asks the three, as these tests were written.
    return ask_all_three(settings)



def _plan(app, person_id: int, when: datetime | None = None) -> None:
    with app.sessions.begin() as session:
        plan_checkins(session, session.get(Person, person_id), when or app.clock.now(), app.settings)


def _queued(bot, **filters) -> list[OutboundMessage]:
    return [m for m in bot.rows(OutboundMessage, **filters) if (m.idempotency_key or "").startswith("checkin:")]


def test_planning_twice_plans_once(app):
    person_id = consenting_person(app, "+447700900601")
    _plan(app, person_id)
    _plan(app, person_id)
    driver = ConversationDriver(app, address="+447700900601")
    checkins = driver.rows(Checkin)
    assert [(c.wave, c.due_at - checkins[0].due_at) for c in checkins] == [
        ("baseline", timedelta(0)), ("week6", timedelta(weeks=6)), ("week12", timedelta(weeks=12))]


def test_a_job_that_runs_twice_queues_once(app):
    person_id = consenting_person(app, "+447700900602")
    _plan(app, person_id)
    app.run_due_work()
    app.run_due_work()
    with app.sessions.begin() as session:   # the same run again, as after a crash before commit
        for work in app.due_work:
            work(session, app.clock.now())
    bot = ConversationDriver(app, address="+447700900602")
    offers = _queued(bot)
    assert [m.idempotency_key for m in offers] == [f"checkin:{person_id}:ons4+ons_loneliness+swemwbs:baseline:offer"]
    bot.deliver().expect_key("checkin.offer_baseline", count=15)
    bot.deliver().expect_nothing()


def test_reminders_come_a_day_apart_at_most_twice_then_the_check_in_expires(app):
    person_id = consenting_person(app, "+447700900603")
    bot = ConversationDriver(app, address="+447700900603")
    _plan(app, person_id)
    bot.advance("1m").expect_key("checkin.offer_baseline", count=15)
    bot.advance("23h").expect_nothing()
    bot.advance("1h").expect_key("checkin.reminder", lang="en")
    bot.advance("1d").expect_key("checkin.reminder", lang="en")
    bot.advance("1d").expect_nothing()                       # no third reminder
    assert bot.rows(Checkin, wave="baseline")[0].status == "offered"
    bot.advance("4d").expect_nothing()
    baseline = bot.rows(Checkin, wave="baseline")[0]
    assert (baseline.status, baseline.closed_reason, baseline.reminders_sent) == ("expired", "unanswered", 2)


def test_someone_part_way_through_is_reminded_to_carry_on(app):
    person_id = consenting_person(app, "+447700900604")
    bot = ConversationDriver(app, address="+447700900604")
    _plan(app, person_id)
    bot.advance("1m")
    bot.send("CHECKIN")
    bot.send("5")
    bot.advance("23h").expect_nothing()                      # counted from the last answer
    bot.advance("1h").expect_key("checkin.reminder_resume", lang="en")
    bot.send("CHECKIN").expect_key("checkin.resuming", left=14)


def test_an_answer_after_expiry_closes_the_check_in_kindly(app):
    person_id = consenting_person(app, "+447700900605")
    bot = ConversationDriver(app, address="+447700900605")
    _plan(app, person_id)
    bot.advance("1m")
    bot.send("CHECKIN")
    bot.advance("8d")
    bot.send("5").expect_key("checkin.closed", lang="en")
    assert bot.conversation().flow == "menu"


# Quiet hours are 09:00-20:00 Europe/London: GMT until 29 March 2026, BST until 25 October 2026.
@pytest.mark.parametrize("referred_at, offered_at, week6_due, week6_sent", [
    # Referred on a winter evening; the 6-week wave falls just after the clocks go forward.
    ("2026-02-16T21:30:00+00:00", "2026-02-17T09:00:00+00:00", "2026-03-30T21:30:00+00:00",
     "2026-03-31T08:00:00+00:00"),
    # Referred in summer; the 6-week wave falls just after the clocks go back.
    ("2026-09-14T19:30:00+00:00", "2026-09-15T08:00:00+00:00", "2026-10-26T19:30:00+00:00",
     "2026-10-26T19:30:00+00:00"),
    # Referred at 05:00 GMT; the wave is at 05:00 BST (04:00 UTC), which waits for 09:00 BST.
    ("2026-02-23T05:00:00+00:00", "2026-02-23T09:00:00+00:00", "2026-04-06T05:00:00+00:00",
     "2026-04-06T08:00:00+00:00"),
])
def test_quiet_hours_hold_messages_for_the_morning_across_a_clock_change(app, clock, referred_at, offered_at,
                                                                        week6_due, week6_sent):
    clock.set(datetime.fromisoformat(referred_at))
    person_id = consenting_person(app, "+447700900606")
    bot = ConversationDriver(app, address="+447700900606")
    _plan(app, person_id)
    app.run_due_work()
    offer = _queued(bot)[0]
    assert offer.not_before == datetime.fromisoformat(offered_at)
    clock.set(datetime.fromisoformat(offered_at) - timedelta(minutes=1))
    bot.deliver().expect_nothing()
    clock.set(datetime.fromisoformat(offered_at))
    bot.deliver().expect_key("checkin.offer_baseline", count=15)
    assert bot.rows(Checkin, wave="baseline")[0].next_reminder_at == datetime.fromisoformat(offered_at) + timedelta(hours=24)

    clock.set(datetime.fromisoformat(week6_due))
    app.run_due_work()
    follow_up = [m for m in _queued(bot) if m.idempotency_key.endswith(":week6:offer")][0]
    assert follow_up.not_before == datetime.fromisoformat(week6_sent)
    clock.set(follow_up.not_before - timedelta(seconds=1))
    bot.deliver().expect_nothing()
    clock.set(follow_up.not_before)
    bot.deliver().expect_key("checkin.offer_follow_up", lang="en")


def test_the_persons_own_contact_times_are_respected(app, clock):
    person_id = consenting_person(app, "+447700900607")
    with app.sessions.begin() as session:
        set_contact_times(session, person_id, "18:00", "21:30", clock.now())
    _plan(app, person_id)
    app.run_due_work()
    bot = ConversationDriver(app, address="+447700900607")
    # Their 18:00-21:30, inside the quiet hours' 09:00-20:00: 18:00 GMT on the same day.
    assert _queued(bot)[0].not_before == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def test_a_closed_referral_cancels_what_is_pending(app):
    person_id = consenting_person(app, "+447700900608")
    bot = ConversationDriver(app, address="+447700900608")
    _plan(app, person_id)
    app.run_due_work()
    with app.sessions.begin() as session:
        assert cancel_pending(session, person_id, "referral_closed") == 3
    assert {c.status for c in bot.rows(Checkin)} == {"cancelled"}
    assert {m.status for m in _queued(bot)} == {"cancelled"}
    bot.advance("13w").expect_nothing()


def test_an_opted_out_person_is_not_offered_anything(app):
    person_id = consenting_person(app, "+447700900609")
    bot = ConversationDriver(app, address="+447700900609")
    with app.sessions.begin() as session:
        session.get(Person, person_id).opted_out = True
    _plan(app, person_id)
    bot.advance("13w").expect_nothing()
    assert _queued(bot) == []
