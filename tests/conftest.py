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

# The longest files, longest first (whole-suite run of 2026-12-05, --junitxml, two workers):
# they go out first, so that what is left for the end is many short files that even the two
# workers out, rather than one long file keeping one worker busy while the other has finished
# (scripts/test: --dist loadfile --no-loadscope-reorder). Every other file keeps its place.
LONGEST_FIRST = (
    "faults/test_rasa_killed.py", "practitioners/test_by_text.py", "nlu/test_rasa.py",
    "safeguarding/test_referral_steps.py", "practitioners/test_roster.py", "test_properties.py", "ops/test_wheel.py",
    "referral/test_referral_conversation.py", "safeguarding/test_risk_model.py", "safeguarding/test_every_flow.py",
    "test_simulator.py",
)


def pytest_collection_modifyitems(config, items):
    """The files in LONGEST_FIRST first, in that order; the rest, and the tests in each file, as collected."""
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    tests_folder = config.rootpath / "tests"

    def place(item) -> int:
        try:
            return rank.get(item.path.relative_to(tests_folder).as_posix(), len(rank))
        except ValueError:
            return len(rank)
    items.sort(key=place)   # stable: the order within a file, and among the rest, is kept


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
