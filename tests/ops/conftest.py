"""The channel fixtures (fake providers, the web app on loopback) for the operations tests."""
from tests.channels.conftest import (  # noqa: F401 - fixtures, found by pytest by name
    channel_app, channel_settings, fake_telegram, fake_twilio, serve, server,
)
