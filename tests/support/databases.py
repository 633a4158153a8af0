"""Test databases: a migrated SQLite file per test, and a PostgreSQL database per test session.

PostgreSQL is the server in CYSWLLT_TEST_POSTGRES_URL when that is set (an admin URL, e.g.
postgresql://postgres@127.0.0.1:5432/postgres); otherwise a private cluster that the tests
start in a temporary folder on a free port and remove at the end (tests/support/private_postgres.py).
The machine's own PostgreSQL server and its pg_hba.conf are never touched.
"""
from __future__ import annotations

import os
import shutil
import uuid
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from storage.db import make_engine, upgrade

EXTERNAL_POSTGRES_URL = os.environ.get("CYSWLLT_TEST_POSTGRES_URL", "")
# Only for quick local runs on a machine without PostgreSQL; CI never sets it.
SKIP_POSTGRES = os.environ.get("CYSWLLT_TEST_SKIP_POSTGRES") == "1"


class PostgresServer:
    """Where the test databases are made: the given server, or a private cluster started now."""

    def __init__(self) -> None:
        self.cluster = None
        if EXTERNAL_POSTGRES_URL:
            self.admin_url = EXTERNAL_POSTGRES_URL
            return
        from tests.support.private_postgres import PrivateCluster, remove_abandoned, server_binaries

        remove_abandoned()
        if server_binaries() is None and SKIP_POSTGRES:
            pytest.skip("PostgreSQL's server programs are not installed; CYSWLLT_TEST_SKIP_POSTGRES=1")
        self.cluster = PrivateCluster()
        self.cluster.start()
        self.admin_url = self.cluster.url

    def admin_engine(self) -> Engine:
        return make_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


class PostgresDatabase:
    """A throwaway PostgreSQL database, migrated once, emptied between tests."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.name = f"cyswllt_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = server.admin_engine()
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL
            admin.dispose()
            if SKIP_POSTGRES:
                pytest.skip(f"PostgreSQL not reachable ({exc}); CYSWLLT_TEST_SKIP_POSTGRES=1")
            pytest.fail(f"PostgreSQL is needed at {server.admin_url} and could not be reached: {exc}. "
                        "Set CYSWLLT_TEST_SKIP_POSTGRES=1 only for quick local runs.", pytrace=False)
        admin.dispose()
        base = server.admin_url.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"
        engine = make_engine(self.url)
        upgrade(engine)
        engine.dispose()
        self._emptying: tuple[frozenset[str], str] | None = None
        # One connection, kept for the session, empties the database between tests: a new
        # connection is a new server process that reads the catalogs again (at load average 33,
        # 146 ms a test with an engine made each time, 41 ms with this one). Named apart from the
        # app's connections, which some tests terminate by their application_name; one that
        # died meanwhile is replaced on checkout (pre-ping).
        self._engine = make_engine(self.url, pool_size=1, connect_args={"application_name": "cyswllt tests: emptying"})

    def empty(self, engine: Engine | None = None) -> None:
        """Every table emptied and every sequence back at 1, as after the migrations.

        DELETE, children before parents, not TRUNCATE: on tables this small TRUNCATE's new files
        cost over a second a test on a busy machine, DELETE some milliseconds. On the session's
        own connection unless `engine` is given.
        """
        with (engine or self._engine).begin() as connection:
            tables = frozenset(connection.scalars(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'")))
            if self._emptying is None or self._emptying[0] != tables:
                self._emptying = (tables, self._emptying_sql(connection, tables))
            connection.execute(text(self._emptying[1]))

    @staticmethod
    def _emptying_sql(connection: Connection, tables: frozenset[str]) -> str:
        names = ", ".join(f'"{t}"' for t in sorted(tables))
        sequences = list(connection.scalars(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")))
        reset = []
        if sequences:
            reset = ["SELECT " + ", ".join(f"setval('\"{s}\"', 1, false)" for s in sequences)]
        order = TopologicalSorter({t: set() for t in tables})
        for child, parent in connection.execute(text(
                "SELECT c.relname, p.relname FROM pg_constraint k "
                "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
                "WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace")):
            if child != parent and child in tables and parent in tables:
                order.add(parent, child)  # a parent's rows go after the rows that refer to them
        try:
            deletes = [f'DELETE FROM "{t}"' for t in order.static_order()]
        except CycleError:
            deletes = [f"TRUNCATE {names} RESTART IDENTITY CASCADE"] if tables else []
        return "; ".join(deletes + reset) or "SELECT 1"

    def drop(self) -> None:
        self._engine.dispose()
        admin = self.server.admin_engine()
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
