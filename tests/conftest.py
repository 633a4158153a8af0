"""Fixtures shared by every test: databases on SQLite and PostgreSQL, the app, and a bot to talk to."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.bootstrap import build_app
from bot.clock import FakeClock
from bot.settings import load_settings
from tests.support.conversation import ConversationDriver
from tests.support.databases import PostgresDatabase, PostgresServer, SqliteTemplate
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_twilio import FakeTwilio

# A Monday morning in term time, so quiet hours and weekdays are predictable.
START_OF_TESTS = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_server():
    """The tests' PostgreSQL: a private cluster started for the session, or CYSWLLT_TEST_POSTGRES_URL."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_database(postgres_server):
    database = PostgresDatabase(postgres_server)
    yield database
    database.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A migrated, empty database: every storage and flow test runs on both."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_template").copy_to(tmp_path)
    database = request.getfixturevalue("postgres_database")
    database.empty()
    return database.url


@pytest.fixture
def settings(database_url):
    settings = load_settings(environ={})
    settings.database.url = database_url
    settings.database.auto_migrate = False
    return settings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_OF_TESTS)


@pytest.fixture
def app(settings, clock):
    app = build_app(settings, clock=clock)
    yield app
    app.close()


@pytest.fixture
def bot(app) -> ConversationDriver:
    return ConversationDriver(app, channel="sms", address="+447700900123")


@pytest.fixture
def telegram_bot(app) -> ConversationDriver:
    return ConversationDriver(app, channel="telegram", address="100200300")


@pytest.fixture
def fake_telegram():
    """A fake Telegram Bot API on loopback."""
    fake = FakeTelegram()
    yield fake
    fake.close()


@pytest.fixture
def fake_twilio():
    """A fake Twilio REST API on loopback."""
    fake = FakeTwilio()
    yield fake
    fake.close()
