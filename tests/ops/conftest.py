"""Channel fixtures for the operations tests (the fake providers are in tests/conftest.py)."""
import logging

import pytest

from tests.channels.conftest import (  # noqa: F401 - fixtures, found by pytest by name
    channel_app, channel_settings, serve, server,
)


@pytest.fixture(autouse=True)
def root_logger_restored():
    """Commands run in-process configure logging; the next test gets the root logger back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
