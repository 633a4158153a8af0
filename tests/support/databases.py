"""Test databases: a migrated SQLite file per test, and a PostgreSQL database per test session."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from storage.db import make_engine, upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "CYSWLLT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Only for quick local runs on a machine without PostgreSQL; CI never sets it.
SKIP_POSTGRES = os.environ.get("CYSWLLT_TEST_SKIP_POSTGRES") == "1"


def _admin_engine() -> Engine:
    return make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


class PostgresDatabase:
    """A throwaway PostgreSQL database, migrated once, emptied between tests."""

    def __init__(self) -> None:
        self.name = f"cyswllt_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = _admin_engine()
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL
            admin.dispose()
            if SKIP_POSTGRES:
                pytest.skip(f"PostgreSQL not reachable ({exc}); CYSWLLT_TEST_SKIP_POSTGRES=1")
            pytest.fail(
                f"PostgreSQL is needed at {POSTGRES_ADMIN_URL} and could not be reached: {exc}. "
                "scripts/test starts it; set CYSWLLT_TEST_SKIP_POSTGRES=1 only for quick local runs.",
                pytrace=False,
            )
        admin.dispose()
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"
        engine = make_engine(self.url)
        upgrade(engine)
        self.tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        engine.dispose()

    def empty(self, engine: Engine) -> None:
        with engine.begin() as connection:
            current = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
            if current:
                names = ", ".join(f'"{t}"' for t in current)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def drop(self) -> None:
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
            ), {"name": self.name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        admin.dispose()


class SqliteTemplate:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.sqlite3"
        engine = make_engine(f"sqlite:///{self.path}")
        upgrade(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def copy_to(self, directory: Path) -> str:
        target = directory / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"
