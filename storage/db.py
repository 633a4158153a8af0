"""Engines and schema migrations for SQLite (the default) and PostgreSQL."""
from __future__ import annotations

import os
import socket
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc, make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever way the URL spells the driver."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    # A failed statement's error would otherwise quote its parameters (message text, phone
    # numbers) into the logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _make_parent_folder(url)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Named per process so that `cyswllt status` can say which one holds the scheduler lock.
    connect_args = {"application_name": f"cyswllt {socket.gethostname()} pid {os.getpid()}"[:63]}
    connect_args.update(kwargs.pop("connect_args", {}))
    # A pooled connection is pinged on checkout and replaced if the database went away meanwhile.
    # (A hand-written ping-only-after-idle saved under 3% of a turn's CPU: bench/README.md.)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, connect_args=connect_args, **kwargs)


def one_writer(engine: Engine) -> bool:
    """SQLite writes one transaction at a time; PostgreSQL lets transactions overlap."""
    return engine.dialect.name == "sqlite"


def _make_parent_folder(url: str) -> None:
    """SQLite creates the file but not its folder (the default lives in a state folder that may be new)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and one writer work at once; NORMAL is durable across
    # application crashes (the risk is only a power cut on the host).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted and erased content is overwritten in the file, not left in free pages (issue 16);
    # some SQLite builds default to it, others do not.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema up to date (every feature's migration head)."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


# PostgreSQL's codes for a table or a column that does not exist.
_MISSING_SCHEMA_CODES = {"42P01", "42703"}


def missing_schema(error: BaseException) -> bool:
    """Whether a database error means the schema is not there (or behind): run the migrations."""
    if not isinstance(error, exc.DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _MISSING_SCHEMA_CODES:
        return True
    message = str(original)
    return message.startswith(("no such table:", "no such column:")) or " has no column named " in message
