"""A scheduler that loses its lock's database connection goes back to waiting and leads again."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.bootstrap import build_app
from bot.checkins import plan_checkins
from bot.scheduler import Scheduler
from storage.models import Person
from tests.checkins.support import consenting_person
from tests.checkins.test_scheduler import _offers, _until


@pytest.fixture
def fast_settings(settings):
    settings.scheduler.interval_seconds = 0.05
    settings.scheduler.lock_poll_seconds = 0.02
    return settings


def _terminate_this_process_backends(app) -> int:
    """What a database restart or a network cut does to the scheduler: every backend of this
    process (the lock's connection and the pool's) is terminated, from another connection."""
    with app.engine.connect() as connection:
        me = connection.execute(text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
                                ).scalar()
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name AND pid <> pg_backend_pid() AND datname = current_database()"),
            {"name": me}).scalar()
        connection.commit()
    return killed


def test_terminated_backends_the_scheduler_waits_and_leads_again(fast_settings, clock):
    if not fast_settings.database.url.startswith("postgresql"):
        pytest.skip("the advisory lock lives in a PostgreSQL backend; SQLite's file lock is the kernel's")
    app = build_app(fast_settings, clock=clock)
    person_id = consenting_person(app, "+447700900601")
    with app.sessions.begin() as session:
        plan_checkins(session, session.get(Person, person_id), clock.now(), fast_settings)

    async def scenario():
        scheduler = Scheduler(app, name="recovering")
        await scheduler.start()
        await _until(lambda: scheduler.is_leader, "it leads")
        await _until(lambda: len(_offers(app)) == 1, "the baseline offer is queued")
        assert await asyncio.to_thread(_terminate_this_process_backends, app) >= 1
        # It may lose and retake the lock faster than a poll here can see it not leading.
        await _until(lambda: scheduler.times_led >= 2, "it notices the lock is gone and takes it again")
        await _until(lambda: scheduler.is_leader, "it leads")
        # And runs the due work again: the 6-week wave is offered.
        clock.advance(timedelta(weeks=6))
        await _until(lambda: len(_offers(app)) == 2, "the 6-week offer is queued after the recovery")
        await scheduler.shutdown()

    try:
        asyncio.run(scenario())
    finally:
        app.close()
