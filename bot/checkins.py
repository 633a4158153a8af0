"""Check-ins in storage: planning waves, the flow's effects, scoring, and the due work that offers them.

Jobs never send: they write outbox rows under an idempotency key
`checkin:<person>:<questionnaires>:<wave>:<kind>`, so a job that runs twice queues once, and
every unprompted message waits for the quiet hours and the person's own contact times.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.outbox import preferred_address, queue_message
from bot.send_policy import send_window, when_allowed  # noqa: F401 - the check-ins' names for them
from flows.base import DataSetEvent, Say
from flows.checkin import (
    AnswerRecorded, CheckinGone, CheckinOpened, CompleteCheckin, OpenCheckin, RecordAnswer,
)
from flows.questionnaires import ANSWERED, Measure, Questionnaire, score
from storage.models import (
    Checkin, CheckinAnswer, CheckinScore, ContactPreference, Conversation, OutboundMessage, Person,
)

log = logging.getLogger(__name__)

BASELINE = "baseline"
OPEN = ("offered", "in_progress")
PENDING = ("planned", "offered", "in_progress")


def wave_name(weeks: int) -> str:
    return f"week{weeks}"


def dataset_wave(wave: str) -> str:
    """The data set's name for a wave: "baseline", "6w", "12w" (a check-in's "week6" is "6w")."""
    if wave.startswith("week") and wave[4:].isdigit():
        return f"{wave[4:]}w"
    return wave


def is_full_wave(wave: str, settings) -> bool:
    """Baseline and the final wave ask the longer tools; interim and self-started check-ins do not."""
    weeks = settings.checkins.follow_up_weeks
    return wave == BASELINE or bool(weeks) and wave == wave_name(max(weeks))


def questionnaires_for(wave: str, settings) -> list[str]:
    """What a wave asks: everything at baseline and the final wave, ONS-4 alone (four questions) between."""
    if is_full_wave(wave, settings):
        return list(settings.checkins.questionnaires)
    return [q for q in settings.checkins.interim_questionnaires]


def checkin_key(checkin: Checkin, kind: str) -> str:
    return f"checkin:{checkin.person_id}:{'+'.join(checkin.questionnaires)}:{checkin.wave}:{kind}"


# ---------------------------------------------------------------- planning and cancelling


def plan_checkins(session: Session, person: Person, referred_at: datetime, settings,
                  existing: set[str] | None = None) -> None:
    """Plan the baseline (due now) and the follow-up waves for a newly referred person; idempotent.

    `existing`: the waves the person has, if the caller has just read them."""
    if existing is None:
        existing = set(session.scalars(select(Checkin.wave).where(Checkin.person_id == person.id)))
    rows = [_planned(person.id, wave, due_at, referred_at, referred_at, settings)
            for wave, due_at in _waves(referred_at, settings) if wave not in existing]
    if rows:
        session.flush()   # the person, if new: the rows name them
        session.connection().execute(_CHECKIN_INSERT, rows)


def _waves(referred_at: datetime, settings) -> list[tuple[str, datetime]]:
    return [(BASELINE, referred_at)] + [
        (wave_name(w), referred_at + timedelta(weeks=w)) for w in settings.checkins.follow_up_weeks]


def _planned(person_id: int, wave: str, due_at: datetime, referred_at: datetime | None, now: datetime,
             settings) -> dict[str, Any]:
    """A new check-in row's values, planned."""
    return {"person_id": person_id, "wave": wave, "questionnaires": questionnaires_for(wave, settings),
            "status": "planned", "due_at": due_at, "referred_at": referred_at, "reminders_sent": 0,
            "created_at": now, "offered_at": None, "expires_at": None, "started_at": None, "next_reminder_at": None}


def cancel_pending(session: Session, person_id: int, reason: str, now: datetime | None = None) -> int:
    """Cancel a person's pending check-ins and their queued messages (opt-out, erasure, closed referral)."""
    checkins = session.scalars(select(Checkin).where(Checkin.person_id == person_id,
                                                     Checkin.status.in_(PENDING))).all()
    for checkin in checkins:
        checkin.status = "cancelled"
        checkin.closed_reason = reason[:32]
        checkin.next_reminder_at = None
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.person_id == person_id, OutboundMessage.status == "queued",
               OutboundMessage.idempotency_key.like(f"checkin:{person_id}:%"))
        .values(status="cancelled")
    )
    # Someone part-way through a check-in that no longer exists goes back to the menu.
    conversation = session.scalar(select(Conversation).where(Conversation.person_id == person_id))
    if conversation is not None and conversation.flow == "checkin":
        conversation.flow = "menu"
        conversation.state = {"step": "home"}
        conversation.pending_options = []
    return len(checkins)


def resume_after_opt_in(session: Session, person_id: int, now: datetime, expire_after_days: float):
    """START after STOP: check-ins were paused, not cancelled. What is still due carries on (due work
    offers and reminds again); what expired meanwhile is closed and the person is told. A reply, or None."""
    rows = session.scalars(select(Checkin).where(Checkin.person_id == person_id,
                                                 Checkin.status.in_(PENDING))).all()
    dropped = 0
    for checkin in rows:
        if checkin.status in OPEN and checkin.expires_at is not None:
            window_end = checkin.expires_at
        else:
            window_end = checkin.due_at + timedelta(days=expire_after_days)
        if _aware(window_end) <= now:
            checkin.status = "expired"
            checkin.closed_reason = "opted_out"
            checkin.next_reminder_at = None
            dropped += 1
    if dropped:
        # Someone part-way through a check-in that expired meanwhile goes back to the menu.
        conversation = session.scalar(select(Conversation).where(Conversation.person_id == person_id))
        if conversation is not None and conversation.flow == "checkin" and not any(
                c.status in OPEN for c in rows):
            conversation.flow, conversation.state, conversation.pending_options = "menu", {"step": "home"}, []
        return Say("conversation.checkins_dropped", dropped=dropped, left=len(rows) - dropped)
    if rows:
        return Say("conversation.checkins_resumed")
    return None


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- an answer's statements (Core)

_CHECKIN, _ANSWER, _SCORE = Checkin.__table__, CheckinAnswer.__table__, CheckinScore.__table__
_CHECKIN_INSERT = insert(_CHECKIN)
_THEIRS = select(_CHECKIN).where(_CHECKIN.c.person_id == bindparam("person_id")).order_by(_CHECKIN.c.due_at,
                                                                                         _CHECKIN.c.id)
_ANSWERED = select(_ANSWER.c.questionnaire, _ANSWER.c.item).where(_ANSWER.c.checkin_id == bindparam("checkin_id"))
_OPEN_NOW = and_(or_(*(_CHECKIN.c.status == status for status in OPEN)),
                 or_(_CHECKIN.c.expires_at.is_(None), _CHECKIN.c.expires_at > bindparam("now")))
_ANSWERING = (
    update(_CHECKIN)
    .where(_CHECKIN.c.id == bindparam("checkin_id"), _CHECKIN.c.person_id == bindparam("owner"), _OPEN_NOW)
    .values(status="in_progress", last_answer_at=bindparam("now"), next_reminder_at=bindparam("remind_at"))
    .returning(_CHECKIN.c.id)
)
_ANSWER_UPSERT = {}
for _postgresql, _insert in ((False, sqlite_insert), (True, pg_insert)):
    _statement = _insert(_ANSWER).values({c: bindparam(c) for c in (
        "checkin_id", "questionnaire", "item", "value", "status", "answered_at")})
    _ANSWER_UPSERT[_postgresql] = _statement.on_conflict_do_update(
        index_elements=["checkin_id", "questionnaire", "item"],
        set_={c: _statement.excluded[c] for c in ("value", "status", "answered_at")})
_COMPLETING = (
    update(_CHECKIN).where(_CHECKIN.c.id == bindparam("checkin_id"), _CHECKIN.c.status != "completed")
    .values(status="completed", completed_at=bindparam("now"), next_reminder_at=None)
    .returning(_CHECKIN.c.id, _CHECKIN.c.person_id, _CHECKIN.c.wave, _CHECKIN.c.questionnaires)
)
_SCORE_INSERT = insert(_SCORE)
_ANSWERS = select(_ANSWER.c.questionnaire, _ANSWER.c.item, _ANSWER.c.value, _ANSWER.c.status).where(
    _ANSWER.c.checkin_id == bindparam("checkin_id"))
_BASELINE_SCORES = (
    select(_SCORE.c.questionnaire, _SCORE.c.measure, _SCORE.c.value)
    .join(_CHECKIN, _CHECKIN.c.id == _SCORE.c.checkin_id)
    .where(_CHECKIN.c.person_id == bindparam("person_id"), _CHECKIN.c.wave == BASELINE)
)


def _change(connection, checkin_id: int, **values: Any) -> None:
    connection.execute(update(_CHECKIN).where(_CHECKIN.c.id == checkin_id).values(**values))


# ---------------------------------------------------------------- the service


@dataclass
class CheckinService:
    """The check-in flow's effect handlers and the check-in due work, sharing settings and texts."""

    settings: Any
    catalog: Catalog
    questionnaires: Mapping[str, Questionnaire]
    # Called with (session, check-in, now) when a final wave falls due; True: it made its own offer
    # (the end-of-support conversation, bot/end_of_support.py), so the bare check-in offer is not sent.
    on_final_wave: Any = None

    def handlers(self) -> dict[type, Any]:
        return {OpenCheckin: self.open_checkin, RecordAnswer: self.record_answer,
                CompleteCheckin: self.complete_checkin}

    # ------------------------------------------------------------ effects (inside a person's turn)

    def _items(self, questionnaires: list[str]) -> list[str]:
        return [f"{q}.{item.id}" for q in questionnaires if q in self.questionnaires
                for item in self.questionnaires[q].items]

    def open_checkin(self, turn, effect: OpenCheckin) -> CheckinOpened:
        """Every check-in of theirs in one read: the one to answer (opened if it was not), or the
        waves to plan from. Core statements, as an answer's are: nothing of a check-in is held as an
        ORM object in a turn, so no statement works on a stale copy."""
        connection, person, now = turn.session.connection(), turn.person, turn.now
        rows = connection.execute(_THEIRS, {"person_id": person.id}).all()
        checkin = self._open_for(connection, rows, now)
        if checkin is None and effect.source == "end_of_support":
            return CheckinOpened(0, "", (), 0)  # the final check-in closed meanwhile: nothing to add
        settings = self.settings.checkins
        opening = {"status": "in_progress", "started_at": now,
                   "next_reminder_at": now + timedelta(hours=settings.reminder_after_hours)}
        expires_at = now + timedelta(days=settings.expire_after_days)
        if checkin is None:
            checkin_id, wave, questionnaires, fresh = self._new_for(connection, person, now, rows, {
                **opening, "offered_at": now, "expires_at": expires_at})
        else:
            checkin_id, wave, questionnaires, fresh = checkin.id, checkin.wave, checkin.questionnaires, False
            if checkin.status in ("planned", "offered"):
                _change(connection, checkin.id, **opening, offered_at=checkin.offered_at or now,
                        expires_at=checkin.expires_at or expires_at)
        done = set() if fresh else {f"{a.questionnaire}.{a.item}"
                                    for a in connection.execute(_ANSWERED, {"checkin_id": checkin_id})}
        items = self._items(questionnaires)
        return CheckinOpened(checkin_id, wave, tuple(i for i in items if i not in done), len(items),
                             answered=tuple(i for i in items if i in done))

    @staticmethod
    def _open_for(connection, rows: list, now: datetime):
        """The check-in to answer now: one already open, else a planned one that is due."""
        for checkin in rows:
            if checkin.status in OPEN and checkin.expires_at is not None and checkin.expires_at <= now:
                # The expiry job has not run yet; it would say the same.
                _change(connection, checkin.id, status="expired",
                        closed_reason="unanswered" if checkin.last_answer_at is None else "unfinished")
            elif checkin.status in OPEN:
                return checkin
        for checkin in rows:
            if checkin.status == "planned" and checkin.due_at <= now:
                return checkin
        return None

    def _new_for(self, connection, person: Person, now: datetime, rows: list,
                 opened: dict[str, Any]) -> tuple[int, str, list[str], bool]:
        """A check-in the person asked for, opened (`opened`: the opening's values): their baseline if
        they have none, else an extra one. Its id, wave and questionnaires, and whether it was made
        now (a reopened baseline was not: it may have answers). `rows`: all theirs."""
        waves = {c.wave for c in rows}
        if BASELINE not in waves:
            # One they start themselves is ONS-4 alone, even as their first: four questions they will
            # finish, rather than twenty by SMS. (A referral's planned baseline asks the longer tools.)
            questionnaires = list(self.settings.checkins.interim_questionnaires)
            baseline = {**_planned(person.id, BASELINE, now, now, now, self.settings),
                        "questionnaires": questionnaires, **opened}
            checkin_id = connection.execute(_CHECKIN_INSERT.returning(_CHECKIN.c.id), baseline).scalar_one()
            later = [_planned(person.id, wave, due_at, now, now, self.settings)
                     for wave, due_at in _waves(now, self.settings)[1:] if wave not in waves]
            if later:
                connection.execute(_CHECKIN_INSERT, later)
            return checkin_id, BASELINE, questionnaires, True
        baseline = next(c for c in rows if c.wave == BASELINE)
        if baseline.status in ("expired", "cancelled"):
            # Without a baseline nothing later can show a change: reopen it, keeping any answers.
            _change(connection, baseline.id, **opened, due_at=now, closed_reason=None, reminders_sent=0)
            return baseline.id, BASELINE, baseline.questionnaires, False
        wave = f"extra{1 + sum(1 for w in waves if w.startswith('extra'))}"
        extra = {**_planned(person.id, wave, now, None, now, self.settings), **opened}
        return connection.execute(_CHECKIN_INSERT.returning(_CHECKIN.c.id), extra).scalar_one(), wave, \
            extra["questionnaires"], True

    def record_answer(self, turn, effect: RecordAnswer) -> AnswerRecorded | CheckinGone:
        """Two Core statements: the check-in, if still the person's and open, marked answered
        (RETURNING says whether it was), then the answer upserted on its unique item."""
        session, now = turn.session, turn.now
        connection = session.connection()
        if connection.execute(_ANSWERING, {
            "checkin_id": effect.checkin_id, "owner": turn.person.id, "now": now,
            # Reminders count from the last answer, not the offer: someone answering is not nagged.
            "remind_at": now + timedelta(hours=self.settings.checkins.reminder_after_hours),
        }).first() is None:
            return CheckinGone()
        # The same item asked again after a resume: the latest answer counts.
        connection.execute(_ANSWER_UPSERT[session.bind.dialect.name == "postgresql"], {
            "checkin_id": effect.checkin_id, "questionnaire": effect.questionnaire, "item": effect.item,
            "value": effect.value, "status": effect.status, "answered_at": now})
        return AnswerRecorded(effect.checkin_id, effect.questionnaire, effect.item)

    def complete_checkin(self, turn, effect: CompleteCheckin) -> None:
        connection = turn.session.connection()
        checkin = connection.execute(_COMPLETING, {"checkin_id": effect.checkin_id, "now": turn.now}).first()
        if checkin is None:
            return None   # gone, or completed already
        # One event per statement and instrument, in the catalogue's shape (config/dataset/statements.yml):
        # {"instrument": "ons4", "wave": "6w", "happiness": 6, ...}; the report pairs waves on it.
        events: dict[tuple[int, str], dict[str, Any]] = {}
        for result in self.score_checkin(connection, checkin, turn.now):
            measure = self.measure_of(result["questionnaire"], result["measure"])
            if result["value"] is None or measure is None:
                continue
            for statement in measure.statements:
                value = events.setdefault((statement, measure.instrument),
                                          {"instrument": measure.instrument, "wave": dataset_wave(result["wave"])})
                value[measure.field] = result["value"]
        for (statement, _), value in events.items():
            turn.record(DataSetEvent(statement, value), "checkin")
        return None

    def measure_of(self, questionnaire_id: str, measure_id: str) -> Measure | None:
        questionnaire = self.questionnaires.get(questionnaire_id)
        if questionnaire is None:
            return None
        return next((m for m in questionnaire.measures if m.id == measure_id), None)

    def score_checkin(self, connection, checkin, now: datetime) -> list[dict[str, Any]]:
        """Score every measure of every questionnaire in the check-in, with the change from baseline;
        the rows stored, as dicts. `checkin`: its id, person_id, wave and questionnaires."""
        answers: dict[str, dict[str, int | None]] = {}
        for answer in connection.execute(_ANSWERS, {"checkin_id": checkin.id}):
            answers.setdefault(answer.questionnaire, {})[answer.item] = (
                answer.value if answer.status == ANSWERED else None)
        baseline = {} if checkin.wave == BASELINE else {
            (s.questionnaire, s.measure): s.value for s in connection.execute(_BASELINE_SCORES,
                                                                              {"person_id": checkin.person_id})}
        rows = []
        for qid in checkin.questionnaires:
            for result in score(self.questionnaires[qid], answers.get(qid, {})) if qid in self.questionnaires else ():
                base = baseline.get((qid, result.measure))
                rows.append(dict(
                    checkin_id=checkin.id, person_id=checkin.person_id, wave=checkin.wave, questionnaire=qid,
                    measure=result.measure, raw=result.raw, value=result.value, band=result.band,
                    baseline_value=base,
                    change=(round(result.value - base, 2) if result.value is not None and base is not None else None),
                    computed_at=now,
                ))
        if rows:
            connection.execute(_SCORE_INSERT, rows)
        return rows

    # ------------------------------------------------------------ due work (scheduler, ::advance)

    def due_work(self, session: Session, now: datetime) -> None:
        """Offer check-ins that are due, remind once a day (at most twice), and expire old ones."""
        self._offer_due(session, now)
        self._remind(session, now)
        self._expire(session, now)

    def _load_people(self, session: Session, person_ids: set[int]) -> list[Person]:
        """Load many people (and their addresses) in a few queries rather than one each.

        The caller keeps the returned list: the session's identity map holds objects only weakly.
        """
        ids = sorted(person_ids)
        people: list[Person] = []
        for start in range(0, len(ids), 1000):
            people += session.scalars(select(Person).where(Person.id.in_(ids[start:start + 1000]))).all()
        return people

    def _preferences(self, session: Session, person_ids: set[int]) -> dict[int, ContactPreference]:
        ids = sorted(person_ids)
        found: dict[int, ContactPreference] = {}
        for start in range(0, len(ids), 1000):
            found.update((p.person_id, p) for p in session.scalars(
                select(ContactPreference).where(ContactPreference.person_id.in_(ids[start:start + 1000]))))
        return found

    def _reachable(self, session: Session, person_id: int) -> tuple[Person, Any] | None:
        person = session.get(Person, person_id)
        if person is None or person.opted_out:
            return None
        address = preferred_address(person)
        return (person, address) if address is not None else None

    def _queue(self, session: Session, checkin: Checkin, key: str, kind: str, now: datetime,
               when: datetime, preferences: Mapping[int, ContactPreference] | None = None,
               **params: Any) -> datetime | None:
        """Queue one message about a check-in; the time it may go out, or None if the person can't be reached."""
        found = self._reachable(session, checkin.person_id)
        if found is None:
            return None
        person, address = found
        not_before = when_allowed(session, self.settings, person.id, when, preferences)
        queue_message(session, self.catalog, Say(key, **params), channel=address.channel,
                      address=address.address, now=now, person=person, not_before=not_before,
                      idempotency_key=checkin_key(checkin, kind))
        return not_before

    def _offer_due(self, session: Session, now: datetime) -> None:
        due = session.scalars(select(Checkin).where(Checkin.status == "planned", Checkin.due_at <= now)
                              .order_by(Checkin.due_at, Checkin.id)).all()
        settings = self.settings.checkins
        people = self._load_people(session, {c.person_id for c in due})  # noqa: F841 - kept loaded
        preferences = self._preferences(session, {c.person_id for c in due})
        for checkin in due:
            if (self.on_final_wave is not None and checkin.wave != BASELINE
                    and is_full_wave(checkin.wave, self.settings) and self.on_final_wave(session, checkin, now)):
                continue  # offered with the end-of-support conversation
            count = len(self._items(checkin.questionnaires))
            key = "checkin.offer_baseline" if checkin.wave == BASELINE else "checkin.offer_follow_up"
            sent_at = self._queue(session, checkin, key, "offer", now, max(now, checkin.due_at), preferences,
                                  count=count)
            if sent_at is None:
                continue  # opted out or no address: stays planned, cancelled by opt-out anyway
            checkin.status = "offered"
            checkin.offered_at = sent_at
            checkin.next_reminder_at = sent_at + timedelta(hours=settings.reminder_after_hours)
            checkin.expires_at = sent_at + timedelta(days=settings.expire_after_days)

    def _remind(self, session: Session, now: datetime) -> None:
        settings = self.settings.checkins
        rows = session.scalars(select(Checkin).where(
            Checkin.status.in_(OPEN), Checkin.next_reminder_at <= now,
            Checkin.reminders_sent < settings.max_reminders)).all()
        for checkin in rows:
            if checkin.expires_at is not None and checkin.expires_at <= now:
                continue
            number = checkin.reminders_sent + 1
            key = "checkin.reminder_resume" if checkin.status == "in_progress" else "checkin.reminder"
            sent_at = self._queue(session, checkin, key, f"reminder{number}", now, now)
            if sent_at is None:
                continue
            checkin.reminders_sent = number
            checkin.next_reminder_at = sent_at + timedelta(hours=settings.reminder_after_hours)

    def _expire(self, session: Session, now: datetime) -> None:
        for checkin in session.scalars(select(Checkin).where(Checkin.status.in_(OPEN), Checkin.expires_at <= now)):
            checkin.status = "expired"
            checkin.closed_reason = "unanswered" if checkin.last_answer_at is None else "unfinished"
            checkin.next_reminder_at = None
