"""Items waiting for a practitioner (an alert, a referral, an attendance question, an erasure
request), made the way the service makes them, for the practitioner-by-text tests."""
from __future__ import annotations

from datetime import timedelta

from bot.nudges import record_booking
from storage.models import Booking, ErasureRequest, Referral, SafeguardingAlert
from tests.checkins.support import consenting_person

KINDS = ("alert", "referral", "nudge", "erasure")


def referred(bot, address: str, *, first_name: str | None = "Sam", language: str = "en",
             postcode: str = "CF10 1AA") -> int:
    """A submitted referral, routed by the service's due work; its id."""
    app = bot.app
    person_id = consenting_person(app, address, language=language)
    now = app.clock.now()
    answers = {"postcode": postcode, "what_matters": "Getting out more"}
    if first_name:
        answers["first_name"] = first_name
    with app.sessions.begin() as session:
        referral = Referral(person_id=person_id, status="submitted", answers=answers, route="self", source="",
                            submitted_at=now, created_at=now, updated_at=now)
        session.add(referral)
        session.flush()
        referral_id = referral.id
    app.run_due_work()
    return referral_id


def alert_from(bot, address: str) -> int:
    person = bot.as_(address, "sms")
    person.speaking("en")
    person.send("I want to die")
    return max(a.id for a in bot.rows(SafeguardingAlert))


def nudge_for(bot, referral_id: int) -> int:
    """An attendance question about the referral's person, asked of its practitioner now."""
    app = bot.app
    with app.sessions.begin() as session:
        referral = session.get(Referral, referral_id)
        booking = record_booking(session, person_id=referral.person_id, practitioner_id=referral.practitioner_id,
                                 asset_ref="oruk:service:walk-1", activity_cy="Taith gerdded",
                                 activity_en="Walking group", starts_at=app.clock.now() - timedelta(days=2),
                                 now=app.clock.now(), settings=app.settings,
                                 first_name=(referral.answers or {}).get("first_name"))
        booking_id = booking.id
    app.run_due_work()
    return booking_id


def erasure_from(bot, address: str) -> int:
    person = bot.as_(address, "sms")
    person.speaking("en")
    person.send("delete my data")
    person.send("1")
    return max(r.id for r in bot.rows(ErasureRequest))


def make(bot, kind: str, n: int) -> tuple[int, str]:
    """An item of this kind; (its number as messages show it, the command that answers it)."""
    address = f"+4477009005{n:02d}"
    if kind == "alert":
        number = alert_from(bot, address)
        return number, f"ACK {number}"
    if kind == "referral":
        number = referred(bot, address)
        return number, f"ACCEPT {number}"
    if kind == "nudge":
        number = referred(bot, address, first_name="Gwen")
        with bot.app.sessions.begin() as session:
            session.get(Referral, number).status = "contacted"   # in touch: only its nudge waits
        nudge_for(bot, number)
        return number, f"WENT {number}"
    number = erasure_from(bot, address)
    return number, f"ERASE {number}"


def state_of(bot) -> dict:
    """What each kind of item looks like now: nothing must change on a bare number."""
    return {
        "alerts": [a.status for a in bot.rows(SafeguardingAlert)],
        "referrals": [r.status for r in bot.rows(Referral)],
        "bookings": [b.status for b in bot.rows(Booking)],
        "erasures": [r.status for r in bot.rows(ErasureRequest)],
    }
