"""The composition root: builds the app's parts from the settings and hands them down."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import data_rights
from bot.asset_handlers import AssetHandlers
from bot.answer_words import load_answer_words
from bot.case_closing import ACTION as CLOSE_ACTION, CloseAction
from bot.catalog import Catalog
from bot.checkins import CheckinService, cancel_pending, plan_checkins
from bot.clock import Clock, SystemClock
from bot.dispatcher import Dispatcher
from bot.end_of_support import PERSON_FACTS as END_OF_SUPPORT_FACTS, EndOfSupportService
from bot.nudges import NudgeService
from bot.practitioner_list import PractitionerList
from bot.practitioners import PractitionerActions
from bot.questionnaire_files import load_questionnaires
from bot.referrals import Referrals
from bot.safeguarding import Safeguarding
from bot.settings import Settings
from flows.referral import DiscardDraft, SaveDraft, ShowSummary, SubmitReferral
from flows.registry import FLOWS
from flows.rights import RequestErasure
from flows.safety import DropPaused, ResumePaused
from flows.withdraw import ForgetReferrals
from nlu.backends import build_nlu
from storage.db import make_engine, upgrade
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
    sessions = sessionmaker(engine, expire_on_commit=False)
    clock = clock or SystemClock()
    questionnaires = load_questionnaires(
        wanted=[*settings.checkins.questionnaires, *settings.checkins.interim_questionnaires])
    catalog = catalog or Catalog.load(extra=questionnaires.texts)
    # Safeguarding first: its screen runs on every message before anything else (Standard Three).
    safeguarding = Safeguarding(settings, catalog, FLOWS)
    referrals = Referrals(settings, catalog)
    checkins = CheckinService(settings, catalog, questionnaires.questionnaires)
    answer_words = load_answer_words()
    end_of_support = EndOfSupportService(settings, catalog)
    # A case reaching its final wave unclosed gets the end-of-support conversation with its check-in.
    checkins.on_final_wave = end_of_support.on_final_wave
    # The baseline check-in is offered at referral, the follow-ups at the configured waves.
    referrals.on_submitted.append(lambda session, person, now: plan_checkins(session, person, now, settings))
    referrals.on_closed.append(lambda session, person, now: cancel_pending(session, person.id, "referral_closed", now))
    nudges = NudgeService(settings, catalog)
    assets = AssetHandlers(catalog, default_gazetteer(), load_sample=settings.assets.sample_when_empty,
                           settings=settings)
    dispatcher = Dispatcher(
        sessions=sessions, nlu=nlu or build_nlu(settings), catalog=catalog, clock=clock,
        settings=settings,
        screens=[safeguarding.screen, referrals.keyword_screen, data_rights.screen],
        effect_handlers={
            ResumePaused: safeguarding.resume, DropPaused: safeguarding.drop,
            SaveDraft: referrals.save_draft, ShowSummary: referrals.show_summary, DiscardDraft: referrals.discard_draft,
            SubmitReferral: referrals.submit, ForgetReferrals: referrals.forget,
            RequestErasure: data_rights.request_erasure,
            **assets.effect_handlers(),
            **checkins.handlers(),
            **end_of_support.handlers(),
        },
        person_facts=[referrals.person_facts, data_rights.facts, assets.person_facts, END_OF_SUPPORT_FACTS],
        practitioner_actions=PractitionerActions({data_rights.ACTION: data_rights.practitioner_answer}),
        resources={"questionnaires": questionnaires.questionnaires, "answer_words": answer_words},
        on_opt_out=[lambda session, person_id, now: cancel_pending(session, person_id, "opted_out", now)],
    )
    safeguarding.flows = dispatcher.flows
    safeguarding.context = dispatcher.context
    dispatcher.practitioner_actions.register("alert", safeguarding.on_answer)
    dispatcher.practitioner_actions.register("referral", referrals.on_answer)
    dispatcher.practitioner_actions.register("nudge", nudges.answer)
    dispatcher.practitioner_actions.register(CLOSE_ACTION, CloseAction(end_of_support, answer_words))
    practitioner_list = PractitionerList()
    practitioner_list.add(safeguarding.list_section)
    practitioner_list.add(referrals.list_section)
    practitioner_list.add(nudges.list_section)
    dispatcher.practitioner_actions.register("list", practitioner_list)
    due_work: list[DueWork] = [
        safeguarding.escalate_due, referrals.due, checkins.due_work, end_of_support.due_work, nudges.due_work,
        data_rights.retention_job(settings.privacy.message_retention_days),
    ]
    return App(settings, engine, sessions, catalog, clock, dispatcher, due_work)
