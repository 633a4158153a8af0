"""Bookings and attendance nudges: the day after an activity the practitioner is asked if the person went.

Unanswered nudges are reminded once, then go into one daily digest per practitioner instead of
piling up. A person who asked for it is reminded the day before. Like every job, these only write
outbox rows under idempotency keys (`nudge:<booking>:<round>:ask`, `nudge-digest:<practitioner>:<date>`,
`booking:<booking>:reminder`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.send_policy import when_allowed
from bot.outbox import preferred_address, queue_message
from bot.quiet_hours import parse_hhmm
from flows.base import Ask, Option, Reply, Say, regarding
from flows.practitioner import PractitionerAnswer, action_value
from bot.practitioner_items import WaitingItem, commands, refuse, who_is
from storage.models import Booking, Person, Practitioner, Referral
from storage.models import DataSetEvent as DataSetEventRow

# The practitioner's answer -> its option, its confirmation, and the Core Data Set statements it
# evidences (Appendix Five), with their values in the catalogue's shapes (config/dataset/statements.yml):
# 109 "if the person attended the activity" (attended: yes or no), 106 non-attenders (DNA), 103 "if the
# individual disengages from the activity". "Not yet" evidences nothing until it is asked again, and
# 102 (withdrawal from the practitioner's support) is not what a question about one activity answers.
ANSWERS: dict[str, tuple[str, str, tuple[tuple[int, dict[str, Any]], ...]]] = {
    "attended": ("nudge.option_attended", "nudge.recorded_attended", ((109, {"attended": True}),)),
    "did_not_attend": ("nudge.option_did_not_attend", "nudge.recorded_did_not_attend",
                       ((109, {"attended": False}), (106, {}))),
    "not_yet": ("nudge.option_not_yet", "nudge.recorded_not_yet", ()),
    "withdrew": ("nudge.option_withdrew", "nudge.recorded_withdrew", ((103, {}),)),
}
# Attendance questions are named by the person's referral number ("WENT 31"), never a hash.
ATTENDANCE = "attendance"
# The commands for ANSWERS, in its order.
COMMANDS = ("practitioner.command_went", "practitioner.command_didntgo", "practitioner.command_notyet",
            "practitioner.command_withdrew")
# A booking whose start time nobody gave (the person named a day; the directory lists no hours for
# it) starts at the beginning of its day; the reminder then names the day without a time.
TIME_NOT_KNOWN = time(0, 0)
# (on the day itself?, start time known?) -> the person's reminder
REMINDER_KEYS = {
    (False, True): "booking.reminder", (False, False): "booking.reminder_no_time",
    (True, True): "booking.reminder_today", (True, False): "booking.reminder_today_no_time",
}
def weekday_and_month(day: date, lang: str) -> tuple[str, str]:
    """The weekday and month names from Babel's CLDR data: "dydd Mawrth", "Mawrth"; "Tuesday", "March".

    A Welsh weekday is written "dydd Mawrth" within a sentence (CLDR gives it as it starts one).
    """
    weekday = get_day_names("wide", locale=lang)[day.weekday()]
    if lang == "cy":
        weekday = weekday[:1].lower() + weekday[1:]
    return weekday, get_month_names("wide", locale=lang)[day.month]


def _local(when: datetime, settings) -> datetime:
    return when.astimezone(ZoneInfo(settings.service.timezone))


def _at_local(day, hhmm: str, settings) -> datetime:
    zone = ZoneInfo(settings.service.timezone)
    return datetime.combine(day, parse_hhmm(hhmm), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def record_booking(session: Session, *, person_id: int, practitioner_id: int | None, asset_ref: str,
                   activity_cy: str, activity_en: str, starts_at: datetime, now: datetime, settings,
                   remind_person: bool = False, first_name: str | None = None) -> Booking:
    """A person is going to an activity: ask their practitioner the day after whether they went."""
    day_after = _local(starts_at, settings).date() + timedelta(days=1)
    booking = Booking(person_id=person_id, practitioner_id=practitioner_id, asset_ref=asset_ref[:120],
                      activity_cy=activity_cy[:200], activity_en=activity_en[:200],
                      first_name=(first_name or "").strip()[:80] or None, starts_at=starts_at,
                      remind_person=remind_person, status="booked",
                      nudge_due_at=_at_local(day_after, settings.checkins.nudge_time, settings),
                      nudge_round=0, created_at=now)
    session.add(booking)
    session.flush()
    return booking


@dataclass
class NudgeService:
    """Asks practitioners about attendance, reads their answers, and lists what is open."""

    settings: Any
    catalog: Catalog

    # ------------------------------------------------------------ texts

    def _day(self, when: datetime, lang: str) -> str:
        local = _local(when, self.settings)
        weekday, month = weekday_and_month(local, lang)
        return self.catalog.text("nudge.date", lang, weekday=weekday, day=local.day, month=month)

    def _params(self, booking: Booking, lang: str) -> dict[str, Any]:
        return {
            "name": booking.first_name or self.catalog.text("nudge.someone", lang),
            "activity": booking.activity_cy if lang == "cy" else booking.activity_en,
            "day": self._day(booking.starts_at, lang),
        }

    def _numbered(self, session: Session, booking: Booking, lang: str) -> dict[str, Any]:
        """The texts' parameters, with the referral's number and who the person is."""
        referral = referral_for(session, booking)
        return {**self._params(booking, lang), "n": referral.id if referral else "-",
                "who": who_is(session, self.catalog, lang, booking.person_id, name=booking.first_name)}

    def question(self, session: Session, booking: Booking, lang: str, key: str = "nudge.question") -> Reply:
        referral = referral_for(session, booking)
        if referral is None:
            # No referral to name it by (never made so by the bot): its own id, buttons only.
            options = [Option(action_value("nudge", booking.id, verb), label) for verb, (label, _, _) in ANSWERS.items()]
        else:
            options = [Option(action_value(ATTENDANCE, referral.id, verb), label, {"n": referral.id}, command=command)
                       for verb, (label, _, _), command in zip(ANSWERS, ANSWERS.values(), COMMANDS)]
        return regarding(Ask(key, options, **self._numbered(session, booking, lang)), booking.person_id)

    # ------------------------------------------------------------ due work

    def due_work(self, session: Session, now: datetime) -> None:
        self._ask_due(session, now)
        self._remind(session, now)
        self._digest(session, now)
        self._remind_people(session, now)

    def _practitioner_contact(self, session: Session, practitioner_id: int | None):
        practitioner = session.get(Practitioner, practitioner_id) if practitioner_id else None
        if practitioner is None or not practitioner.active or practitioner.person_id is None:
            return None
        person = session.get(Person, practitioner.person_id)
        address = preferred_address(person) if person is not None else None
        if address is None:
            return None
        return practitioner, person, address, person.language or practitioner.language

    def _queue_to_practitioner(self, session: Session, practitioner_id: int | None, make_reply, key: str,
                               now: datetime) -> datetime | None:
        contact = self._practitioner_contact(session, practitioner_id)
        if contact is None:
            return None  # not linked yet: asked once they link (the row stays due)
        practitioner, person, address, lang = contact
        not_before = when_allowed(session, self.settings, None, now)
        queue_message(session, self.catalog, make_reply(lang), channel=address.channel, address=address.address,
                      now=now, person=person, language=lang, not_before=not_before, idempotency_key=key,
                      ignore_opt_out=False)
        return not_before

    def _ask_due(self, session: Session, now: datetime) -> None:
        due = session.scalars(select(Booking).where(Booking.status == "booked", Booking.nudge_sent_at.is_(None),
                                                    Booking.nudge_due_at <= now).order_by(Booking.id)).all()
        for booking in due:
            sent_at = self._queue_to_practitioner(
                session, booking.practitioner_id, lambda lang, b=booking: self.question(session, b, lang),
                f"nudge:{booking.id}:{booking.nudge_round}:ask", now)
            if sent_at is not None:
                booking.nudge_sent_at = sent_at

    def _remind(self, session: Session, now: datetime) -> None:
        after = timedelta(hours=self.settings.checkins.nudge_reminder_after_hours)
        rows = session.scalars(select(Booking).where(
            Booking.status == "booked", Booking.nudge_sent_at <= now - after,
            Booking.nudge_reminded_at.is_(None))).all()
        for booking in rows:
            sent_at = self._queue_to_practitioner(
                session, booking.practitioner_id,
                lambda lang, b=booking: self.question(session, b, lang, "nudge.reminder"),
                f"nudge:{booking.id}:{booking.nudge_round}:reminder", now)
            if sent_at is not None:
                booking.nudge_reminded_at = sent_at

    def _digest(self, session: Session, now: datetime) -> None:
        """Once a day, one message per practitioner listing the nudges still open after their reminder."""
        local_now = _local(now, self.settings)
        if local_now.time() < parse_hhmm(self.settings.checkins.digest_time):
            return
        after = timedelta(hours=self.settings.checkins.nudge_reminder_after_hours)
        stale = session.scalars(select(Booking).where(
            Booking.status == "booked", Booking.nudge_reminded_at <= now - after)
            .order_by(Booking.practitioner_id, Booking.starts_at)).all()
        by_practitioner: dict[int, list[Booking]] = {}
        for booking in stale:
            if booking.practitioner_id is not None:
                by_practitioner.setdefault(booking.practitioner_id, []).append(booking)
        for practitioner_id, bookings in by_practitioner.items():
            def digest(lang: str, bookings=bookings) -> Reply:
                lines = "\n".join(self.catalog.text("nudge.digest_line", lang, **self._numbered(session, b, lang))
                                  for b in bookings)
                return regarding(Say("nudge.digest", count=len(bookings), items=lines),
                                 *(b.person_id for b in bookings))
            self._queue_to_practitioner(session, practitioner_id, digest,
                                        f"nudge-digest:{practitioner_id}:{local_now.date().isoformat()}", now)

    def _remind_people(self, session: Session, now: datetime) -> None:
        """The day before an activity, remind the people who asked to be reminded."""
        rows = session.scalars(select(Booking).where(
            Booking.remind_person.is_(True), Booking.status == "booked", Booking.starts_at > now,
            Booking.starts_at <= now + timedelta(days=2))).all()
        for booking in rows:
            day_before = _local(booking.starts_at, self.settings).date() - timedelta(days=1)
            if now < self._reminder_time(session, booking.person_id, day_before):
                continue
            person = session.get(Person, booking.person_id)
            address = preferred_address(person) if person is not None else None
            if person is None or person.opted_out or address is None:
                continue
            not_before = when_allowed(session, self.settings, person.id, now)
            local_start = _local(booking.starts_at, self.settings)
            reminder_day = _local(not_before, self.settings).date()
            if reminder_day == day_before:
                on_the_day = False
            elif self._in_time_on_the_day(booking, not_before, local_start):
                # Booked too late for the evening before (or their hours had ended): they were
                # promised a reminder, so it comes when their hours start on the day, saying "today".
                on_the_day = True
            else:
                continue
            lang = person.language or "cy+en"
            params = {"activity": booking.activity_cy if lang == "cy" else booking.activity_en}
            if lang == "cy+en":
                params["activity"] = booking.activity_cy
            if local_start.time() == TIME_NOT_KNOWN:
                reminder = Say(REMINDER_KEYS[on_the_day, False], **params)
            else:
                reminder = Say(REMINDER_KEYS[on_the_day, True], time=local_start.strftime("%H:%M"), **params)
            queue_message(session, self.catalog, reminder, channel=address.channel,
                          address=address.address, now=now, person=person,
                          not_before=not_before, idempotency_key=f"booking:{booking.id}:reminder")

    def _in_time_on_the_day(self, booking: Booking, not_before: datetime, local_start: datetime) -> bool:
        """Whether a reminder at `not_before` falls on the activity's day, before it starts, for a
        booking made before that day (one made on the day needs no reminder)."""
        day = local_start.date()
        if _local(not_before, self.settings).date() != day or _local(booking.created_at, self.settings).date() >= day:
            return False
        return local_start.time() == TIME_NOT_KNOWN or not_before < booking.starts_at

    def _reminder_time(self, session: Session, person_id: int, day_before) -> datetime:
        """The configured evening time the day before, or, if that is outside the person's hours, earlier that day."""
        wanted = _at_local(day_before, self.settings.checkins.booking_reminder_time, self.settings)
        allowed = when_allowed(session, self.settings, person_id, wanted)
        if _local(allowed, self.settings).date() == day_before:
            return allowed
        # Quiet by then (their own hours end earlier): the start of their hours that day, never the day itself.
        return when_allowed(session, self.settings, person_id, _at_local(day_before, "00:00", self.settings))

    # ------------------------------------------------------------ the practitioner's answers

    def open_for(self, session: Session, practitioner_id: int) -> list[Booking]:
        """Nudges already asked and still waiting for this practitioner's answer, oldest first."""
        return list(session.scalars(select(Booking).where(
            Booking.practitioner_id == practitioner_id, Booking.status == "booked",
            Booking.nudge_sent_at.is_not(None)).order_by(Booking.starts_at, Booking.id)))

    def answer_by_referral(self, turn, practitioner: Practitioner, answer: PractitionerAnswer) -> None:
        """WENT 31 / NOTYET 31 / DIDNTGO 31 (or their buttons): the oldest question asked about referral 31's person."""
        session = turn.session
        referral = session.get(Referral, int(answer.target)) if answer.target.isdigit() else None
        waiting = [b for b in self.open_for_person(session, referral.person_id) if self.may_act(session, b, practitioner)] \
            if referral is not None and referral.person_id is not None else []
        if not waiting or answer.verb not in ANSWERS:
            refuse(turn, practitioner, ATTENDANCE, Say("nudge.not_found"))
            return None
        return self._answer(turn, practitioner, waiting[0], answer.verb)

    def answer(self, turn, practitioner: Practitioner, answer: PractitionerAnswer) -> None:
        """A button from before nudges were named by referral: "nudge:<booking id>:<verb>"."""
        session = turn.session
        booking = session.get(Booking, int(answer.target)) if answer.target.isdigit() else None
        if booking is None or answer.verb not in ANSWERS or not self.may_act(session, booking, practitioner):
            refuse(turn, practitioner, "nudge", Say("nudge.not_found"))
            return None
        return self._answer(turn, practitioner, booking, answer.verb)

    def _answer(self, turn, practitioner: Practitioner, booking: Booking, verb: str) -> None:
        """Attended / Did not attend / Not yet / Withdrew, for this booking."""
        session = turn.session
        lang = turn.person.language or practitioner.language
        if booking.status != "booked" or booking.nudge_sent_at is None:
            turn.reply(regarding(Say("nudge.already_answered", **self._params(booking, lang)), booking.person_id))
            return None
        _, recorded_key, statements = ANSWERS[verb]
        person = session.get(Person, booking.person_id)
        if person is not None:
            # About the person (their subject key), not the practitioner who answered.
            for statement, value in statements:
                turn.events.append(DataSetEventRow(
                    statement=statement, subject_key=person.pseudonym, person_id=person.id,
                    value={**value, "asset_id": booking.asset_ref},
                    occurred_at=turn.now, channel=None, language=person.language, source="nudge",
                ))
        if verb == "not_yet":
            # Not gone yet (the date moved, or they will start later): ask again in a week.
            booking.nudge_round += 1
            booking.nudge_due_at = turn.now + timedelta(days=self.settings.checkins.not_yet_ask_again_days)
            booking.nudge_sent_at = None
            booking.nudge_reminded_at = None
        else:
            booking.status = verb
            booking.answered_at = turn.now
        turn.reply(regarding(Say(recorded_key, **self._params(booking, lang)), booking.person_id))
        session.flush()
        waiting = self.open_for(session, practitioner.id)
        if waiting:
            turn.reply(self.question(session, waiting[0], lang))
        return None

    def open_for_person(self, session: Session, person_id: int) -> list[Booking]:
        """Questions already asked about this person and still waiting, oldest first."""
        return list(session.scalars(select(Booking).where(
            Booking.person_id == person_id, Booking.status == "booked",
            Booking.nudge_sent_at.is_not(None)).order_by(Booking.starts_at, Booking.id)))

    @staticmethod
    def may_act(session: Session, booking: Booking, practitioner: Practitioner) -> bool:
        """Whose question it is: the practitioner asked, or their team; with nobody asked, the
        team of the person's referral. Nobody else."""
        if booking.practitioner_id == practitioner.id:
            return True
        owner = session.get(Practitioner, booking.practitioner_id) if booking.practitioner_id else None
        if owner is not None:
            return owner.team_id == practitioner.team_id
        referral = referral_for(session, booking)
        return referral is not None and referral.team_id == practitioner.team_id

    def items(self, session: Session, practitioner: Practitioner, lang: str, now: datetime) -> list[WaitingItem]:
        """For LIST and bare numbers: the attendance questions waiting for their answer."""
        items = []
        for booking in self.open_for(session, practitioner.id):
            referral = referral_for(session, booking)
            # Without a referral (never so when the bot made the booking) it goes by its own id, buttons only.
            action, number = (ATTENDANCE, referral.id) if referral is not None else ("nudge", booking.id)
            line = self.catalog.text("practitioner.item_nudge", lang, **self._numbered(session, booking, lang),
                                     commands=commands(self.catalog, lang, COMMANDS[:3], referral.id) if referral else "")
            items.append(WaitingItem(action, number, booking.nudge_sent_at, line, verbs=tuple(ANSWERS),
                                     person_id=booking.person_id))
        return items


def referral_for(session: Session, booking: Booking) -> Referral | None:
    """The referral a booking came from: the person's latest one with the booking's practitioner, else their latest."""
    query = select(Referral).where(Referral.person_id == booking.person_id).order_by(Referral.id.desc()).limit(1)
    if booking.practitioner_id is not None:
        found = session.scalar(query.where(Referral.practitioner_id == booking.practitioner_id))
        if found is not None:
            return found
    return session.scalar(query)
