"""The schema: built by migrations alone, the inbox's uniqueness, optimistic concurrency."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from storage.db import make_engine
from storage.models import Base, Conversation, InboundMessage, Person


# What the migrations make that the models do not declare, on purpose: APScheduler's job table
# (0007, its own schema), and asset search's full-text machinery (0004: SQLite's FTS5 table and
# its shadow tables; PostgreSQL's generated tsvector column and its GIN index).
OUTSIDE_THE_MODELS = {("table", "scheduler_job"), ("column", "search_vector"), ("index", "ix_asset_service_fts"),
                      ("index", "ix_scheduler_job_next_run_time")}


def _declared_by_the_models(_object, name, kind, reflected, _compare_to) -> bool:
    if (kind, name) in OUTSIDE_THE_MODELS or (kind == "table" and name.startswith("asset_service_fts")):
        return not reflected
    return True


def test_the_migrations_at_head_build_exactly_what_the_models_declare(database_url):
    """Alembic's own comparison (as `alembic revision --autogenerate` makes it): tables, columns,
    their types and nullability, indexes, unique constraints and foreign keys."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": _declared_by_the_models})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_inbox_refuses_a_second_copy_of_a_provider_message(app, clock):
    row = dict(channel="sms", provider_id="SM1", address="+447700900123", text="hi",
               status="processed", received_at=clock.now())
    with app.sessions.begin() as session:
        session.add(InboundMessage(**row))
    with pytest.raises(IntegrityError):
        with app.sessions.begin() as session:
            session.add(InboundMessage(**row))


def test_a_conversation_changed_by_two_workers_at_once_is_caught(app, clock):
    with app.sessions.begin() as session:
        person = Person(created_at=clock.now(), opted_out=False, pseudonym="p1")
        session.add(person)
        session.flush()
        session.add(Conversation(person_id=person.id, flow="menu", state={}, pending_options=[],
                                 paused=[], updated_at=clock.now()))
    first, second = app.sessions(), app.sessions()
    a = first.scalar(select(Conversation))
    b = second.scalar(select(Conversation))
    a.flow = "language"
    first.commit()
    b.flow = "something else"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()


def test_times_come_back_in_utc(app, clock):
    with app.sessions.begin() as session:
        session.add(Person(created_at=clock.now(), opted_out=False, pseudonym="p2"))
    with app.sessions() as session:
        assert session.scalar(select(Person)).created_at == clock.now()


def test_a_pooled_connection_that_died_while_idle_is_replaced_unseen(postgres_database):
    engine = make_engine(postgres_database.url)
    admin = make_engine(postgres_database.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({backend})")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != backend
    finally:
        engine.dispose()
        admin.dispose()
