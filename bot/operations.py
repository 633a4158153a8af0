"""What an operator needs to know about a running service, read from its database.

One reading serves both the /metrics gauges (every worker reports the same) and `cyswllt
status` (a person at a terminal). Only counts, ages and times: never a person's data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import filelock
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, case, func, or_, select, text
from sqlalchemy.orm import Session

from bot.scheduler import SCHEDULER_TABLE
from bot.scheduler_lock import ADVISORY_LOCK_KEY, lock_for
from storage.db import alembic_config
from storage.models import OutboundMessage, SafeguardingAlert

WAITING = ("queued", "sending")
# "held": due outside WhatsApp's window with no template for it (bot/send_policy.py).
UNDELIVERED = ("failed", "unreachable", "ambiguous", "held")
UNACKNOWLEDGED = ("open", "no_contact")


@dataclass(frozen=True)
class Queue:
    channel: str
    depth: int
    oldest_due_seconds: float


@dataclass(frozen=True)
class Alerts:
    counts: dict[str, int]
    oldest_seconds: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class SchedulerJobs:
    next_job: str | None
    next_run_at: datetime | None
    overdue_seconds: float


@dataclass(frozen=True)
class Snapshot:
    queues: list[Queue]
    undelivered: dict[tuple[str, str], int]
    alerts: Alerts
    scheduler: SchedulerJobs


@dataclass
class Migrations:
    current: tuple[str, ...]
    head: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.head)


@dataclass
class LockHolder:
    held: bool
    holder: str = ""
    details: dict = field(default_factory=dict)


def _age(then: datetime | None, now: datetime) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def outbox_queues(session: Session, now: datetime) -> list[Queue]:
    """Rows waiting per channel, and how long the oldest one that should have gone by now has waited.

    "Should have gone": due now, or already tried (a row waiting for its retry is late, not scheduled).
    """
    out = OutboundMessage
    due = or_(out.not_before <= now, out.attempts > 0, out.last_error.is_not(None))
    rows = session.execute(
        select(out.channel, func.count(), func.min(case((due, out.created_at))))
        .where(out.status.in_(WAITING)).group_by(out.channel).order_by(out.channel)
    ).all()
    return [Queue(channel, depth, _age(_utc(oldest), now)) for channel, depth, oldest in rows]


def undelivered_counts(session: Session) -> dict[tuple[str, str], int]:
    out = OutboundMessage
    rows = session.execute(
        select(out.channel, out.status, func.count()).where(out.status.in_(UNDELIVERED))
        .group_by(out.channel, out.status)
    ).all()
    return {(channel, status): count for channel, status, count in rows}


def unacknowledged_alerts(session: Session, now: datetime) -> Alerts:
    alert = SafeguardingAlert
    rows = session.execute(
        select(alert.status, func.count(), func.min(alert.raised_at))
        .where(alert.status.in_(UNACKNOWLEDGED)).group_by(alert.status)
    ).all()
    counts = {status: 0 for status in UNACKNOWLEDGED}
    oldest = None
    for status, count, raised in rows:
        counts[status] = count
        raised = _utc(raised)
        oldest = raised if oldest is None or (raised and raised < oldest) else oldest
    return Alerts(counts, _age(oldest, now))


def scheduler_jobs(session: Session, now: datetime) -> SchedulerJobs:
    """The scheduler's next job from its job store (APScheduler keeps run times as epoch seconds)."""
    row = session.execute(text(
        f"SELECT id, next_run_time FROM {SCHEDULER_TABLE} WHERE next_run_time IS NOT NULL "
        "ORDER BY next_run_time LIMIT 1")).first()
    if row is None:
        return SchedulerJobs(None, None, 0.0)
    run_at = datetime.fromtimestamp(row.next_run_time, tz=timezone.utc)
    return SchedulerJobs(row.id, run_at, _age(run_at, now))


def snapshot(session: Session, now: datetime) -> Snapshot:
    return Snapshot(outbox_queues(session, now), undelivered_counts(session),
                    unacknowledged_alerts(session, now), scheduler_jobs(session, now))


def read_snapshot(engine: Engine, now: datetime) -> Snapshot:
    with Session(engine) as session:
        return snapshot(session, now)


def migrations(engine: Engine) -> Migrations:
    head = ScriptDirectory.from_config(alembic_config()).get_heads()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return Migrations(tuple(sorted(current)), tuple(sorted(head)))


def scheduler_lock_holder(engine: Engine, lock_path: str = "") -> LockHolder:
    """Who holds the single-scheduler lock, as far as the database or the file lock can tell."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT a.pid, a.application_name, a.client_addr, a.backend_start "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"key": ADVISORY_LOCK_KEY}).first()
        if row is None:
            return LockHolder(False)
        name = row.application_name or "a client"
        where = f" from {row.client_addr}" if row.client_addr else ""
        since = row.backend_start.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return LockHolder(True, f"{name}{where} (server pid {row.pid}, connected {since})",
                          {"application_name": row.application_name, "server_pid": row.pid})
    lock = lock_for(engine, lock_path)
    # A file lock says only whether someone holds it: probe it without waiting, and let go at once.
    probe = filelock.FileLock(lock.path, thread_local=False)
    try:
        probe.acquire(timeout=0)
    except filelock.Timeout:
        return LockHolder(True, f"another process on this host (lock file {lock.path})", {"path": lock.path})
    probe.release(force=True)
    return LockHolder(False, "", {"path": lock.path})


def _utc(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive (UTC) datetimes or strings.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
