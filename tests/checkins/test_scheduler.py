"""The scheduler: one instance runs the due work, a second waits and takes over, even from a dead one."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.bootstrap import build_app
from bot.checkins import plan_checkins
from bot.scheduler import DUE_WORK_JOB, SCHEDULER_TABLE, Scheduler
from bot.scheduler_lock import lock_for
from storage.models import OutboundMessage, Person
from tests.checkins.support import consenting_person

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fast_settings(settings):
    settings.scheduler.interval_seconds = 0.05
    settings.scheduler.lock_poll_seconds = 0.02
    return settings


async def _until(condition, what: str, limit: float = 20.0) -> None:
    """Wait for something that happens in the background; the limit only stops a hung test."""
    async def poll():
        while not condition():
            await asyncio.sleep(0.02)
    try:
        await asyncio.wait_for(poll(), limit)
    except asyncio.TimeoutError:
        pytest.fail(f"never happened: {what}")


def _offers(app) -> list[OutboundMessage]:
    with app.sessions() as session:
        return list(session.scalars(select(OutboundMessage).where(
            OutboundMessage.idempotency_key.like("checkin:%:offer"))))


def test_the_leader_runs_due_work_and_a_second_instance_takes_over(fast_settings, clock):
    first_app = build_app(fast_settings, clock=clock)
    second_app = build_app(fast_settings, clock=clock)
    person_id = consenting_person(first_app, "+447700900501")
    with first_app.sessions.begin() as session:
        plan_checkins(session, session.get(Person, person_id), clock.now(), fast_settings)

    async def scenario():
        first, second = Scheduler(first_app, name="first"), Scheduler(second_app, name="second")
        await first.start()
        await _until(lambda: first.is_leader, "the first instance leads")
        await second.start()
        await _until(lambda: len(_offers(first_app)) == 1, "the baseline offer is queued")
        assert not second.is_leader
        await first.shutdown()
        await _until(lambda: second.is_leader, "the second instance takes over")
        # It keeps running the job: a wave that falls due now is offered by the new leader.
        clock.advance(timedelta(weeks=6))
        await _until(lambda: len(_offers(first_app)) == 2, "the 6-week offer is queued by the second")
        await second.shutdown()

    try:
        asyncio.run(scenario())
        assert len(_offers(first_app)) == 2  # the job ran many times; each offer was queued once
        with first_app.engine.connect() as connection:
            ids = connection.execute(text(f"SELECT id FROM {SCHEDULER_TABLE}")).scalars().all()
        assert ids == [DUE_WORK_JOB]
    finally:
        first_app.close()
        second_app.close()


def test_the_job_is_coalesced_and_never_runs_twice_at_once(fast_settings, clock):
    app = build_app(fast_settings, clock=clock)

    async def scenario():
        scheduler = Scheduler(app, name="settings")
        await scheduler.start()
        await _until(lambda: scheduler.is_leader, "leading")
        job = scheduler._scheduler.get_job(DUE_WORK_JOB)
        await scheduler.shutdown()
        return job

    try:
        job = asyncio.run(scenario())
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == fast_settings.scheduler.misfire_grace_seconds
        assert job.func_ref == "bot.scheduler:run_due_work"
    finally:
        app.close()


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from storage.db import make_engine
    from bot.scheduler_lock import lock_for
    lock = lock_for(make_engine(sys.argv[1]), sys.argv[2])
    assert lock.try_acquire()
    print("held", flush=True)
    time.sleep(600)
""")


def test_an_instance_takes_over_from_one_that_died(fast_settings, clock, tmp_path):
    app = build_app(fast_settings, clock=clock)
    lock_path = str(tmp_path / "scheduler.lock")
    fast_settings.scheduler.lock_path = lock_path
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, fast_settings.database.url, lock_path],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)

    async def scenario():
        assert holder.stdout.readline().strip() == "held"
        waiting = Scheduler(app, name="survivor", lock=lock_for(app.engine, lock_path))
        await waiting.start()
        await asyncio.sleep(0.2)
        assert not waiting.is_leader  # the other process holds the lock
        holder.kill()  # dies without releasing anything
        holder.wait()
        await _until(lambda: waiting.is_leader, "the survivor takes over from the dead holder")
        await waiting.shutdown()

    try:
        asyncio.run(scenario())
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        app.close()
