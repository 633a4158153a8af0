"""The composition root: builds the app's parts from the settings and hands them down."""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import data_rights
from bot.asset_handlers import AssetHandlers
from bot.case_closing import ACTION as CLOSE_ACTION, CloseAction
from bot.catalog import Catalog
from bot.checkins import CheckinService, cancel_pending, plan_checkins, resume_after_opt_in
from bot.clock import Clock, SystemClock
from bot.dispatcher import Dispatcher
from bot.end_of_support import PERSON_FACTS as END_OF_SUPPORT_FACTS, EndOfSupportService
from bot.nudges import NudgeService
from bot.practitioner_items import PractitionerItems
from bot.practitioners import PractitionerActions
from bot.questionnaire_files import load_questionnaires
from bot.referrals import Referrals
from bot.safeguarding import Safeguarding
from bot.settings import Settings
from flows.referral import DiscardDraft, SaveDraft, ShowSummary, SubmitReferral
from flows.registry import FLOWS
from flows.rights import RequestErasure
from flows.safety import DropPaused, ResumePaused
from flows.safety_check import RESOURCE as CHECK_ANSWERS, CheckAnswer
from flows.withdraw import ForgetReferrals
from bot.nlu_backends import build_nlu
from storage.db import make_engine, one_writer, upgrade
from storage.places import default_gazetteer

# Work that falls due with time (reminders, check-ins, escalations): called with a session
# and the time by the scheduler, or by the simulator's ::advance. It writes outbox rows.
DueWork = Callable[[Session, datetime], None]


@dataclass
class App:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    catalog: Catalog
    clock: Clock
    dispatcher: Dispatcher
    due_work: list[DueWork] = field(default_factory=list)
    # SQLite has one writer at a time; threads that wait for it in SQLite's busy handler back off in
    # sleeps of up to 100 ms (1 s tails). Taking turns on a lock in this process instead costs
    # nothing: the GIL serialises the work anyway. Measured (bench/README.md): without it p99
    # tripled and turns/s fell by a quarter to a half. PostgreSQL needs none.
    write_lock: Any = field(default_factory=contextlib.nullcontext)

    def run_due_work(self) -> None:
        now = self.clock.now()
        for work in self.due_work:
            with self.sessions.begin() as session:
                work(session, now)

    def close(self) -> None:
        self.engine.dispose()


def build_app(settings: Settings, clock: Clock | None = None, engine: Engine | None = None,
              nlu=None, catalog: Catalog | None = None) -> App:
    engine = engine or make_engine(settings.database.url)
    if settings.database.auto_migrate:
        upgrade(engine)
    # The settings ride on every session for what is decided where a row is queued (the channel's
    # window and its templates: bot/send_policy.py, form_for).
    sessions = sessionmaker(engine, expire_on_commit=False, info={"settings": settings})
    clock = clock or SystemClock()
    write_lock = threading.Lock() if one_writer(engine) else contextlib.nullcontext()
    questionnaires = load_questionnaires(
        wanted=[*settings.checkins.questionnaires, *settings.checkins.interim_questionnaires])
    catalog = catalog or Catalog.load(extra=questionnaires.texts)
    # Safeguarding first: its screen runs on every message before anything else (Standard Three).
    safeguarding = Safeguarding(settings, catalog, FLOWS)
    referrals = Referrals(settings, catalog)
    checkins = CheckinService(settings, catalog, questionnaires.questionnaires)
    end_of_support = EndOfSupportService(settings, catalog)
    # A case reaching its final wave unclosed gets the end-of-support conversation with its check-in.
    checkins.on_final_wave = end_of_support.on_final_wave
    # The baseline check-in is offered at referral, the follow-ups at the configured waves.
    referrals.on_submitted.append(lambda session, person, now: plan_checkins(session, person, now, settings))
    referrals.on_closed.append(lambda session, person, now: cancel_pending(session, person.id, "referral_closed", now))
    nudges = NudgeService(settings, catalog)
    erasure = data_rights.ErasureRequests(settings, catalog)
    assets = AssetHandlers(catalog, default_gazetteer(), load_sample=settings.assets.sample_when_empty,
                           settings=settings)
    dispatcher = Dispatcher(
        sessions=sessions, nlu=nlu or build_nlu(settings), catalog=catalog, clock=clock,
        settings=settings, write_lock=write_lock,
        screens=[safeguarding.screen, referrals.keyword_screen, data_rights.screen],
        edit_screens=[safeguarding.screen],
        effect_handlers={
            ResumePaused: safeguarding.resume, DropPaused: safeguarding.drop,
            CheckAnswer: safeguarding.on_check_answer,
            SaveDraft: referrals.save_draft, ShowSummary: referrals.show_summary, DiscardDraft: referrals.discard_draft,
            SubmitReferral: referrals.submit, ForgetReferrals: referrals.forget,
            RequestErasure: erasure.request,
            **assets.effect_handlers(),
            **checkins.handlers(),
            **end_of_support.handlers(),
        },
        person_facts=[referrals.person_facts, data_rights.facts, assets.person_facts, END_OF_SUPPORT_FACTS],
        practitioner_actions=PractitionerActions({data_rights.ACTION: erasure.answer}),
        resources={"questionnaires": questionnaires.questionnaires, CHECK_ANSWERS: safeguarding.check_answers},
        # STOP pauses check-ins (nothing unprompted goes to someone opted out); START resumes them.
        on_opt_in=[lambda session, person_id, now: resume_after_opt_in(
            session, person_id, now, settings.checkins.expire_after_days)],
    )
    safeguarding.flows = dispatcher.flows
    safeguarding.context = dispatcher.context
    safeguarding.dispatcher = dispatcher
    actions = dispatcher.practitioner_actions
    actions.register("alert", safeguarding.on_answer)
    actions.register("referral", referrals.on_answer)
    actions.register("nudge", nudges.answer)
    actions.register("attendance", nudges.answer_by_referral)
    actions.register(CLOSE_ACTION, CloseAction(end_of_support))
    # What waits for a practitioner, for LIST and bare numbers: every feature's items, oldest first.
    items = PractitionerItems(catalog, actions)
    for section in (safeguarding.items, referrals.items, nudges.items, erasure.items):
        items.add(section)
    actions.register("list", items.show)
    actions.register("number", items.number)
    due_work: list[DueWork] = [
        safeguarding.escalate_due, safeguarding.checks_due, referrals.due, checkins.due_work, end_of_support.due_work,
        nudges.due_work,
        data_rights.retention_job(settings.privacy.message_retention_days),
    ]
    return App(settings, engine, sessions, catalog, clock, dispatcher, due_work, write_lock)
