"""The schema: built by migrations alone, the inbox's uniqueness, optimistic concurrency."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from storage.db import make_engine
from storage.models import Base, Conversation, InboundMessage, Person


def test_migrations_build_every_table_the_models_declare(database_url):
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
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
