"""End-of-support conversations in storage: starting one, the flow's effects, and their expiry.

One is started when a practitioner closes a case (bot/case_closing.py) or when a case reaches its
final check-in wave unclosed (CheckinService.on_final_wave). Starting one brings the final-wave
check-in forward (the longer tools follow the end-of-support questions in the same conversation),
cancels interim waves still planned, and offers it to the person once, in their allowed hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.checkins import OPEN as CHECKIN_OPEN, BASELINE, when_allowed, wave_name
from bot.outbox import preferred_address, queue_message
from bot.person_facts import FactColumns, one_of
from flows.base import Say
from flows.end_of_support import (
    CompleteEndOfSupport, EndAnswerRecorded, EndOfSupportDone, EndOfSupportGone, EndOfSupportOpened,
    OpenEndOfSupport, RecordEndAnswer, answer_events, questions_for,
)
from storage.models import Checkin, EndOfSupport, Person, Practitioner, Referral

OPEN = ("offered", "in_progress")
EXPIRE_AFTER_DAYS = 14


def final_wave(settings) -> str | None:
    """The last follow-up wave's name ("week12"), when there are follow-ups."""
    weeks = settings.checkins.follow_up_weeks
    return wave_name(max(weeks)) if weeks else None


@dataclass
class EndOfSupportService:
    """The end-of-support flow's effect handlers, starting conversations, and their due work."""

    settings: Any
    catalog: Catalog

    def handlers(self) -> dict[type, Any]:
        return {OpenEndOfSupport: self.open, RecordEndAnswer: self.record, CompleteEndOfSupport: self.complete}

    # ------------------------------------------------------------ starting one

    def start(self, session: Session, person: Person, referral: Referral | None, source: str,
              now: datetime, offer: bool = True) -> EndOfSupport | None:
        """Start the person's end-of-support conversation (once per referral, one open at a time)."""
        if person.opted_out:
            return None
        if referral is not None:
            found = session.scalar(select(EndOfSupport).where(EndOfSupport.referral_id == referral.id))
            if found is not None:
                return found
        found = session.scalar(select(EndOfSupport).where(EndOfSupport.person_id == person.id,
                                                          EndOfSupport.status.in_(OPEN)))
        if found is not None:
            return found
        themes = tuple((referral.answers or {}).get("themes") or ()) if referral is not None else ()
        row = EndOfSupport(person_id=person.id, referral_id=referral.id if referral else None, source=source,
                           status="offered", questions=list(questions_for(themes)), answers={},
                           quote_ok=False, language=person.language, offered_at=now,
                           expires_at=now + timedelta(days=EXPIRE_AFTER_DAYS))
        session.add(row)
        session.flush()
        self._bring_final_wave_forward(session, person.id, now)
        if offer:
            address = preferred_address(person)
            if address is not None:
                queue_message(session, self.catalog, Say("eos.offer", count=len(row.questions)),
                              channel=address.channel, address=address.address, now=now, person=person,
                              not_before=when_allowed(session, self.settings, person.id, now),
                              idempotency_key=f"eos:{row.id}:offer")
        return row

    def _bring_final_wave_forward(self, session: Session, person_id: int, now: datetime) -> None:
        final = final_wave(self.settings)
        for checkin in session.scalars(select(Checkin).where(Checkin.person_id == person_id,
                                                             Checkin.status == "planned")):
            if checkin.wave == final:
                # Offered with the end-of-support conversation, not on its own.
                checkin.status, checkin.due_at, checkin.offered_at = "offered", min(checkin.due_at, now), now
                checkin.expires_at = now + timedelta(days=EXPIRE_AFTER_DAYS)
                checkin.next_reminder_at = None
            elif checkin.wave != BASELINE:
                checkin.status, checkin.closed_reason = "cancelled", "support_ended"

    def on_final_wave(self, session: Session, checkin: Checkin, now: datetime) -> bool:
        """A case reached its final wave unclosed: start the conversation instead of a bare check-in."""
        person = session.get(Person, checkin.person_id)
        if person is None:
            return False
        referral = session.scalar(select(Referral).where(Referral.person_id == person.id,
                                                         Referral.status.in_(("submitted", "accepted", "contacted")))
                                  .order_by(Referral.id.desc()).limit(1))
        if referral is None:
            return False  # no case to end (check-ins without a referral): just the check-in
        if session.scalar(select(exists().where(EndOfSupport.person_id == person.id))):
            return False  # already had theirs (e.g. closed before): this is just the check-in
        return self.start(session, person, referral, "final_wave", now) is not None

    # ------------------------------------------------------------ effects (inside the person's turn)

    def _open_row(self, session: Session, person_id: int, now: datetime) -> EndOfSupport | None:
        row = session.scalar(select(EndOfSupport).where(EndOfSupport.person_id == person_id,
                                                        EndOfSupport.status.in_(OPEN))
                             .order_by(EndOfSupport.id.desc()).limit(1))
        if row is not None and row.expires_at is not None and row.expires_at <= now:
            row.status = "expired"
            return None
        return row

    def open(self, turn, effect: OpenEndOfSupport) -> EndOfSupportOpened | EndOfSupportGone:
        row = self._open_row(turn.session, turn.person.id, turn.now)
        if row is None:
            turn.facts["end_of_support_open"] = False
            return EndOfSupportGone()
        row.status = "in_progress"
        answers = dict(row.answers or {})
        remaining = [q for q in row.questions if q not in answers]
        if "difference" in answers and not answers["difference"].get("value"):
            remaining = [q for q in remaining if q != "quote"]
        return EndOfSupportOpened(row.id, tuple(remaining), len(row.questions))

    def record(self, turn, effect: RecordEndAnswer) -> EndAnswerRecorded | EndOfSupportGone:
        row = turn.session.get(EndOfSupport, effect.eos_id)
        if row is None or row.person_id != turn.person.id or row.status not in OPEN:
            return EndOfSupportGone()
        value = effect.value
        stored = value
        if effect.question == "difference":
            row.difference_text = value or None
            stored = bool(value)   # the words live in difference_text only
        elif effect.question == "quote":
            row.quote_ok = bool(value)
        answers = dict(row.answers or {})
        first_time = effect.question not in answers
        answers[effect.question] = {"value": stored, "status": effect.status}
        row.answers = answers
        if first_time:
            for event in answer_events(effect.question, value):
                turn.record(event, "end_of_support")
        return EndAnswerRecorded(row.id, effect.question, stored)

    def complete(self, turn, effect: CompleteEndOfSupport) -> EndOfSupportDone:
        row = turn.session.get(EndOfSupport, effect.eos_id)
        if row is not None and row.person_id == turn.person.id and row.status in OPEN:
            row.status, row.completed_at = "completed", turn.now
            self._tell_practitioner(turn, row)
        turn.facts["end_of_support_open"] = False
        final = final_wave(self.settings)
        waiting = turn.session.scalar(select(exists().where(
            Checkin.person_id == turn.person.id, Checkin.wave == final, Checkin.status.in_(CHECKIN_OPEN))))
        return EndOfSupportDone(final_checkin=bool(waiting))

    def _tell_practitioner(self, turn, row: EndOfSupport) -> None:
        """Their words go to the practitioner who held the case (statement 97: shown, never exported)."""
        referral = turn.session.get(Referral, row.referral_id) if row.referral_id else None
        practitioner = (turn.session.get(Practitioner, referral.practitioner_id)
                        if referral is not None and referral.practitioner_id else None)
        if practitioner is None or not row.difference_text or practitioner.person_id is None:
            return
        person = turn.session.get(Person, practitioner.person_id)
        address = preferred_address(person) if person is not None else None
        if address is None:
            return
        key = "eos.practitioner_words_quotable" if row.quote_ok else "eos.practitioner_words_private"
        language = person.language or practitioner.language
        turn.send_to(address.channel, address.address, Say(key, id=referral.id, words=row.difference_text),
                     language, person_id=person.id, idempotency_key=f"eos:{row.id}:words")

    # ------------------------------------------------------------ due work

    def due_work(self, session: Session, now: datetime) -> None:
        for row in session.scalars(select(EndOfSupport).where(EndOfSupport.status.in_(OPEN),
                                                              EndOfSupport.expires_at <= now)):
            row.status = "expired"


def _fact_columns(person_id) -> dict[str, Any]:
    return {"eos_open": exists().where(EndOfSupport.person_id == person_id, one_of(EndOfSupport.status, OPEN))}


def _read_facts(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"end_of_support_open": bool(values["eos_open"])}


PERSON_FACTS = FactColumns(_fact_columns, _read_facts)
