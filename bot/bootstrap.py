"""The composition root: builds the app's parts from the settings and hands them down."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog import Catalog
from bot.checkins import CheckinService, cancel_pending
from bot.clock import Clock, SystemClock
from bot.dispatcher import Dispatcher
from bot.nudges import NudgeService
from bot.practitioner_list import PractitionerList
from bot.questionnaire_files import load_questionnaires
from bot.settings import Settings
from nlu.backends import build_nlu
from storage.db import make_engine, upgrade

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
    questionnaires = load_questionnaires(wanted=settings.checkins.questionnaires)
    catalog = catalog or Catalog.load(extra=questionnaires.texts)
    checkins = CheckinService(settings, catalog, questionnaires.questionnaires)
    nudges = NudgeService(settings, catalog)
    dispatcher = Dispatcher(
        sessions=sessions, nlu=nlu or build_nlu(settings), catalog=catalog, clock=clock,
        settings=settings, effect_handlers=checkins.handlers(),
        resources={"questionnaires": questionnaires.questionnaires},
        on_opt_out=[lambda session, person_id, now: cancel_pending(session, person_id, "opted_out", now)],
    )
    practitioner_list = PractitionerList()
    practitioner_list.add(nudges.list_section)
    dispatcher.practitioner_actions.register("list", practitioner_list)
    dispatcher.practitioner_actions.register("nudge", nudges.answer)
    return App(settings, engine, sessions, catalog, clock, dispatcher,
               due_work=[checkins.due_work, nudges.due_work])
