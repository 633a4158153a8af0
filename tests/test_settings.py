"""Settings: a TOML file, CYSWLLT_* overrides, secrets only from the environment, clear errors."""
from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_ones():
    settings = load_settings(environ={})
    assert settings.database.url.startswith("sqlite:")
    assert settings.nlu.backend == "embedded"


def test_environment_overrides_file(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[database]\nurl = "sqlite:///from-file.sqlite3"\n[nlu]\nbackend = "rasa"\n')
    settings = load_settings(path, environ={"CYSWLLT_DATABASE_URL": "postgresql://db/cyswllt"})
    assert settings.database.url == "postgresql://db/cyswllt"
    assert settings.nlu.backend == "rasa"


def test_the_documented_environment_names_work():
    settings = load_settings(environ={
        "CYSWLLT_PUBLIC_BASE_URL": "https://bot.example.cymru",
        "CYSWLLT_TELEGRAM_TOKEN": "123:abc", "CYSWLLT_TELEGRAM_API_BASE": "http://127.0.0.1:9/bot",
        "CYSWLLT_TWILIO_AUTH_TOKEN": "secret", "CYSWLLT_TWILIO_FROM": "+447700900000",
        "CYSWLLT_RASA_PYTHON": "/usr/bin/python3.10",
    })
    assert settings.public.base_url == "https://bot.example.cymru"
    assert settings.telegram.token == "123:abc"
    assert settings.telegram.api_base == "http://127.0.0.1:9/bot"
    assert settings.twilio.auth_token == "secret"
    assert settings.twilio.from_ == "+447700900000"
    assert settings.rasa.python == "/usr/bin/python3.10"


def test_a_secret_in_the_file_is_refused_naming_the_variable(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[telegram]\ntoken = "123:abc"\n')
    with pytest.raises(SettingsError, match="CYSWLLT_TELEGRAM_TOKEN"):
        load_settings(path, environ={})


@pytest.mark.parametrize("name, value", [
    ("CYSWLLT_DATABASE_URL", "mysql://nope"),
    ("CYSWLLT_NLU_BACKEND", "bert"),
    ("CYSWLLT_RASA_TIMEOUT_S", "soon"),
])
def test_a_malformed_setting_names_itself(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings(environ={name: value})


def test_a_missing_settings_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(environ={"CYSWLLT_SETTINGS": str(tmp_path / "nope.toml")})


def test_the_example_settings_file_loads():
    from config import config_path
    load_settings(config_path("settings.example.toml"), environ={})
