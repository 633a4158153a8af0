"""Settings: a TOML file, CYSWLLT_* overrides, secrets only from the environment, clear errors."""
from __future__ import annotations

import logging
import os
import threading

import pytest

from bot.config_check import check_settings
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
    assert settings.telegram.token.get_secret_value() == "123:abc"
    assert settings.telegram.api_base == "http://127.0.0.1:9/bot"
    assert settings.twilio.auth_token.get_secret_value() == "secret"
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


def test_precedence_is_environment_then_file_then_defaults(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[database]\nurl = "sqlite:///from-file.sqlite3"\n'
                    '[sender]\nmax_attempts = 3\nbatch = 7\n[twilio]\nfrom = "+447700900001"\n')
    settings = load_settings(path, environ={"CYSWLLT_SENDER_BATCH": "9", "CYSWLLT_TWILIO_FROM": "+447700900002"})
    assert settings.sender.batch == 9                                    # environment over file
    assert settings.twilio.from_ == "+447700900002"                      # ...for the `from` keyword too
    assert settings.sender.max_attempts == 3                             # file over default
    assert settings.database.url == "sqlite:///from-file.sqlite3"        # file over the default folder
    assert settings.database.auto_migrate is True                        # a section's other keys keep defaults
    assert settings.sender.claim_s == 60.0
    assert load_settings(path, environ={}).twilio.from_ == "+447700900001"


def test_the_settings_file_may_be_named_in_the_environment_given(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[nlu]\nbackend = "rasa"\n')
    assert load_settings(environ={"CYSWLLT_SETTINGS": str(path)}).nlu.backend == "rasa"


def test_invalid_toml_is_named(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[database\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(path, environ={})


def test_an_unknown_section_in_the_file_is_refused(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[databse]\nurl = 'sqlite://'\n")
    with pytest.raises(SettingsError, match="CYSWLLT_DATABSE: unknown setting"):
        load_settings(path, environ={})


def test_the_environment_given_is_read_and_os_environ_is_never_touched(monkeypatch, tmp_path):
    monkeypatch.setenv("CYSWLLT_NLU_BACKEND", "rasa")
    before = dict(os.environ)
    settings = load_settings(environ={"XDG_STATE_HOME": str(tmp_path)})
    assert settings.nlu.backend == "embedded"                    # os.environ's value is not read...
    assert settings.database.url == f"sqlite:///{tmp_path / 'cyswllt' / 'cyswllt.sqlite3'}"
    assert dict(os.environ) == before                            # ...nor changed, even for a moment
    assert load_settings().nlu.backend == "rasa"                 # without environ=, os.environ is read


def test_loading_with_a_given_environment_does_not_disturb_another_thread(monkeypatch):
    # The old load_settings cleared os.environ while it read: a thread reading a variable at that
    # moment saw it missing. Now a reader never sees os.environ change at all.
    monkeypatch.setenv("CYSWLLT_TEST_WATCHED", "here")
    stop, missed = threading.Event(), []

    def watch():
        while not stop.is_set():
            if os.environ.get("CYSWLLT_TEST_WATCHED") != "here":
                missed.append(True)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(200):
            load_settings(environ={"CYSWLLT_SENDER_BATCH": "5"})
    finally:
        stop.set()
        watcher.join()
    assert not missed


SECRET_VALUES = {
    "CYSWLLT_TELEGRAM_TOKEN": "123456:telegram-token-value",
    "CYSWLLT_TELEGRAM_SECRET": "telegram-webhook-secret-value",
    "CYSWLLT_TWILIO_AUTH_TOKEN": "twilio-auth-token-value",
    "CYSWLLT_DATASET_PSEUDONYM_KEY": "pseudonym-key-value",
    "CYSWLLT_DATABASE_URL": "postgresql://cyswllt:database-password-value@db/cyswllt",
}


def _shows_a_secret(text: str) -> list[str]:
    secrets = [v for k, v in SECRET_VALUES.items() if k != "CYSWLLT_DATABASE_URL"]
    return [s for s in [*secrets, "database-password-value"] if s in text]


def test_secrets_are_never_shown_in_reprs_dumps_logs_or_config_check(caplog):
    settings = load_settings(environ={**SECRET_VALUES, "CYSWLLT_TWILIO_ACCOUNT_SID": "AC1",
                                      "CYSWLLT_SERVICE_ENVIRONMENT": "production"})
    assert settings.telegram.token.get_secret_value() == SECRET_VALUES["CYSWLLT_TELEGRAM_TOKEN"]
    assert settings.database.url == SECRET_VALUES["CYSWLLT_DATABASE_URL"]   # used as given...
    shown = [repr(settings), str(settings), settings.model_dump_json(), repr(settings.model_dump()),
             repr(settings.telegram), repr(settings.twilio), repr(settings.database), repr(settings.dataset)]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("cyswllt.test").info("settings: %s %r", settings, settings.twilio)
    shown.append(caplog.text)
    shown += [str(finding) for finding in check_settings(settings)]
    assert not _shows_a_secret("\n".join(shown))                          # ...and shown masked
    assert "postgresql://cyswllt:***@db/cyswllt" in repr(settings.database)


def test_a_refused_secret_is_not_echoed_in_the_error():
    with pytest.raises(SettingsError) as refused:
        load_settings(environ={"CYSWLLT_DATABASE_URL": "mysql://u:database-password-value@h/db"})
    assert "CYSWLLT_DATABASE_URL" in str(refused.value)
    assert not _shows_a_secret(str(refused.value))


def test_a_secret_assigned_later_is_still_kept_secret():
    settings = load_settings(environ={})
    settings.telegram.token = "123:assigned"          # as tests and benches do
    assert settings.telegram.token.get_secret_value() == "123:assigned"
    assert "123:assigned" not in repr(settings)
