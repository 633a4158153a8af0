"""The single-scheduler lock: only one process runs scheduled work; another waits to take over.

PostgreSQL: a session advisory lock, held by one open connection, released by the server when
that connection (or the process holding it) dies. SQLite: an OS file lock beside the database
file, released by the kernel when the process holding it dies.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

import filelock
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

# Any constant both instances agree on; the letters "CYSW" as a 32-bit number.
ADVISORY_LOCK_KEY = 0x43595357


class SchedulerLock(Protocol):
    def try_acquire(self) -> bool: ...
    def still_held(self) -> bool: ...
    def release(self) -> None: ...


class PostgresAdvisoryLock:
    """pg_try_advisory_lock on a connection kept open for as long as the lock is held."""

    def __init__(self, engine: Engine, key: int = ADVISORY_LOCK_KEY):
        self.engine = engine
        self.key = key
        self._connection = None

    def try_acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = self.engine.connect()
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        connection.commit()  # the lock is session-level: it outlives this transaction
        if got:
            self._connection = connection
        else:
            connection.close()
        return got

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1")).scalar()
            self._connection.commit()
            return True
        except Exception:  # noqa: BLE001 - a dropped connection means the server released the lock
            log.warning("lost the scheduler lock's database connection")
            connection, self._connection = self._connection, None
            try:
                connection.invalidate()   # not back into the pool: it is dead
            except Exception:  # noqa: BLE001
                pass
            return False

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._connection.commit()
        finally:
            self._connection.close()
            self._connection = None


class FileLock:
    """An exclusive OS lock on a file (flock): SQLite deployments run on one host."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = filelock.FileLock(self.path, thread_local=False)

    def try_acquire(self) -> bool:
        if self._lock.is_locked:
            return True
        try:
            self._lock.acquire(timeout=0)
            return True
        except filelock.Timeout:
            return False

    def still_held(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def lock_for(engine: Engine, lock_path: str = "") -> SchedulerLock:
    """The right lock for this database: advisory on PostgreSQL, a file beside the SQLite file."""
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine)
    if not lock_path:
        database = engine.url.database
        if not database or database == ":memory:":
            raise ValueError("CYSWLLT_SCHEDULER_LOCK_PATH is needed for an in-memory SQLite database")
        lock_path = database + ".scheduler.lock"
    return FileLock(lock_path)
