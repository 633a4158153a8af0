"""The scheduler: APScheduler runs the app's due work (check-ins, reminders, nudges) in one process.

`Scheduler(app).start()` / `.shutdown()` are awaited from the web app's lifespan, or run alone
with `cyswllt scheduler run`. Only the instance holding the single-scheduler lock schedules;
the others wait and take over when it stops or dies. The job itself never sends: due work only
writes outbox rows under idempotency keys, so a run repeated after a crash queues nothing twice.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from apscheduler.events import EVENT_JOB_SUBMITTED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.metrics import SCHEDULER_LAG
from bot.scheduler_lock import SchedulerLock, lock_for

log = logging.getLogger(__name__)

SCHEDULER_TABLE = "scheduler_job"   # created by migration 0007_checkins
DUE_WORK_JOB = "due-work"

# Jobs are stored in the database by reference to a module-level function with picklable
# arguments, so the running app is found here by name rather than pickled into the job.
_RUNNING_APPS: dict[str, object] = {}


def run_due_work(app_name: str) -> None:
    """The periodic job: run every piece of due work once, each in its own transaction."""
    app = _RUNNING_APPS.get(app_name)
    if app is None:
        log.warning("scheduled work for %r found no running app", app_name)
        return
    app.run_due_work()


def observe_lag(event) -> None:
    """How late a job started: from the first run time it missed (runs coalesce) to now."""
    if event.scheduled_run_times:
        late = datetime.now(timezone.utc) - min(event.scheduled_run_times)
        SCHEDULER_LAG.observe(max(0.0, late.total_seconds()))


class Scheduler:
    """Holds the lock (or waits for it) and, while holding it, runs the due-work job every interval."""

    def __init__(self, app, *, name: str = "cyswllt", lock: SchedulerLock | None = None):
        self.app = app
        self.settings = app.settings.scheduler
        self.name = name
        self.lock = lock or lock_for(app.engine, self.settings.lock_path)
        self.leading = asyncio.Event()
        self._scheduler: AsyncIOScheduler | None = None
        self._task: asyncio.Task | None = None
        self.times_led = 0   # how often this instance has taken the lock (a lost lock, then again)

    @property
    def is_leader(self) -> bool:
        return self.leading.is_set()

    @property
    def running(self) -> bool:
        """Running the due work now (the leader); a waiting instance is not."""
        return self.is_leader

    async def start(self) -> None:
        """Return at once; leadership is taken in the background, now or when the holder goes."""
        self._task = asyncio.create_task(self._lead(), name=f"scheduler-{self.name}")

    async def _lead(self) -> None:
        """Wait for the lock, lead while it holds, and go back to waiting when it is lost.

        A lost lock (the database restarted, the connection was cut) must not stop scheduled
        work for good: the process stays up, so nothing else would restart it.
        """
        poll = self.settings.lock_poll_seconds
        while True:
            await self._wait_for_lock(poll)
            log.info("this process now runs the scheduler")
            _RUNNING_APPS[self.name] = self.app
            self._scheduler = self._build()
            self._scheduler.start()
            self.times_led += 1
            self.leading.set()
            # Keep checking the lock: if its connection drops, another instance may take over,
            # so this one must stop scheduling (and then wait its turn again).
            while await self._still_held():
                await asyncio.sleep(poll)
            log.warning("scheduler lock lost; stopping scheduled work here and waiting to lead again")
            self._stop_scheduler()
            await asyncio.to_thread(self._forget_lock)

    async def _wait_for_lock(self, poll: float) -> None:
        waiting_logged = failure_logged = False
        while True:
            try:
                if await asyncio.to_thread(self.lock.try_acquire):
                    return
                if not waiting_logged:
                    log.info("another scheduler holds the lock; waiting to take over")
                    waiting_logged = True
            except Exception as exc:  # noqa: BLE001 - the database may be down: keep trying
                if not failure_logged:
                    log.warning("could not ask for the scheduler lock (%s); trying again", type(exc).__name__)
                    failure_logged = True
            await asyncio.sleep(poll)

    async def _still_held(self) -> bool:
        try:
            return await asyncio.to_thread(self.lock.still_held)
        except Exception:  # noqa: BLE001 - any failure to confirm it means it may be gone
            return False

    def _forget_lock(self) -> None:
        # The lock may already be gone with its connection; releasing what is left is best effort.
        try:
            self.lock.release()
        except Exception:  # noqa: BLE001
            log.debug("releasing a lost scheduler lock failed", exc_info=True)

    def _build(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.app.engine, tablename=SCHEDULER_TABLE)},
            job_defaults={
                # After a pause (a deploy, a suspended host) the missed runs collapse into one:
                # due work looks at everything due, so running it five times in a row adds nothing.
                "coalesce": True,
                # A run that starts late is still worth doing within the grace time; after that
                # the next interval comes soon enough.
                "misfire_grace_time": self.settings.misfire_grace_seconds,
                # Never two runs at once in this process (the lock covers other processes).
                "max_instances": 1,
            },
            timezone=timezone.utc,
        )
        scheduler.add_listener(observe_lag, EVENT_JOB_SUBMITTED)
        scheduler.add_job(run_due_work, "interval", seconds=self.settings.interval_seconds, args=[self.name],
                          id=DUE_WORK_JOB, replace_existing=True, next_run_time=datetime.now(timezone.utc))
        return scheduler

    def _stop_scheduler(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        self.leading.clear()
        _RUNNING_APPS.pop(self.name, None)

    async def shutdown(self) -> None:
        """Stop scheduling and hand the lock to whichever instance is waiting."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        self._stop_scheduler()
        await asyncio.to_thread(self.lock.release)
