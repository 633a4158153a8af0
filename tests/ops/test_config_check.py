"""Configuration checked at start: each mistake is named by the environment variable to change."""
from __future__ import annotations

import pytest

from bot.cli import main as cyswllt
from bot.config_check import check_database, check_rasa, check_settings, errors
from bot.settings import load_settings
from storage.db import make_engine, upgrade

HTTPS = "https://cyswllt.example.cymru"


def settings_from(**env):
    return load_settings(environ={f"CYSWLLT_{k.upper()}": v for k, v in env.items()})


def named(findings, level="error") -> set[str]:
    return {f.setting for f in findings if f.level == level}


def test_the_defaults_are_fine_for_trying_it_out():
    assert errors(check_settings(settings_from())) == []


def test_a_twilio_token_without_a_public_url_is_refused():
    found = check_settings(settings_from(twilio_account_sid="AC1", twilio_auth_token="t", twilio_from="+447700900000"))
    assert named(found) == {"CYSWLLT_PUBLIC_BASE_URL"}
    assert "signature" in str(found[0])


def test_twilio_needs_its_account_token_and_a_sender():
    assert named(check_settings(settings_from(twilio_auth_token="t", public_base_url=HTTPS))) == {
        "CYSWLLT_TWILIO_ACCOUNT_SID", "CYSWLLT_TWILIO_FROM"}
    assert named(check_settings(settings_from(twilio_account_sid="AC1", twilio_messaging_service_sid="MG1",
                                              public_base_url=HTTPS))) == {"CYSWLLT_TWILIO_AUTH_TOKEN"}


def test_a_public_url_that_is_not_https_is_refused_in_production_and_warned_about_elsewhere():
    plain = dict(public_base_url="http://cyswllt.example.cymru")
    assert named(check_settings(settings_from(**plain)), "warning") >= {"CYSWLLT_PUBLIC_BASE_URL"}
    assert "CYSWLLT_PUBLIC_BASE_URL" in named(check_settings(settings_from(service_environment="production", **plain)))
    assert "CYSWLLT_PUBLIC_BASE_URL" in named(check_settings(settings_from(public_base_url="cyswllt.example.cymru")))


def test_sqlite_with_several_workers_is_refused():
    found = check_settings(settings_from(database_url="sqlite:///x.sqlite3"), workers=4)
    assert named(found) == {"CYSWLLT_DATABASE_URL"} and "4 workers" in str(found[0])
    assert errors(check_settings(settings_from(database_url="postgresql://u@h:5432/d"), workers=4)) == []


def test_a_telegram_token_without_its_webhook_secret_is_refused_unless_polling():
    token = dict(telegram_token="1:abc", public_base_url=HTTPS)
    assert named(check_settings(settings_from(**token))) == {"CYSWLLT_TELEGRAM_SECRET"}
    assert errors(check_settings(settings_from(**token), telegram_polling=True)) == []
    assert named(check_settings(settings_from(telegram_secret="no spaces!", **token))) == {"CYSWLLT_TELEGRAM_SECRET"}
    assert named(check_settings(settings_from(), telegram_polling=True)) == {"CYSWLLT_TELEGRAM_TOKEN"}


def test_the_scheduler_is_not_held_to_the_webhook_settings():
    assert errors(check_settings(settings_from(telegram_token="1:abc"), role="scheduler")) == []


def test_production_warns_about_what_is_fine_for_a_trial():
    found = check_settings(settings_from(service_environment="production"))
    assert named(found, "warning") >= {"CYSWLLT_DATABASE_URL", "CYSWLLT_DATABASE_AUTO_MIGRATE",
                                       "CYSWLLT_LOGGING_FORMAT", "CYSWLLT_ASSETS_SAMPLE_WHEN_EMPTY"}


def test_a_missing_safeguarding_file_and_an_unknown_time_zone_are_refused():
    found = check_settings(settings_from(safeguarding_phrases_file="config/nope.yml", service_timezone="Europe/Cardiff"))
    assert named(found) == {"CYSWLLT_SAFEGUARDING_PHRASES_FILE", "CYSWLLT_SERVICE_TIMEZONE"}


def test_an_unreachable_database_is_refused():
    found = check_database(settings_from(database_url="postgresql://nobody@127.0.0.1:1/nothing"))
    assert named(found) == {"CYSWLLT_DATABASE_URL"} and "unreachable" in str(found[0])


def test_migrations_not_at_head_are_refused_when_they_will_not_be_applied(tmp_path):
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    assert named(check_database(settings_from(database_url=url, database_auto_migrate="false"))) == {
        "CYSWLLT_DATABASE_AUTO_MIGRATE"}
    assert named(check_database(settings_from(database_url=url)), "warning") == {"CYSWLLT_DATABASE_AUTO_MIGRATE"}
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    assert check_database(settings_from(database_url=url, database_auto_migrate="false")) == []


def test_unreachable_rasa_servers_are_a_warning_because_the_embedded_nlu_answers():
    found = check_rasa(settings_from(nlu_backend="rasa", rasa_url_en="http://127.0.0.1:1",
                                     rasa_url_cy="http://127.0.0.1:2"), timeout_s=0.5)
    assert named(found, "warning") == {"CYSWLLT_RASA_URL_EN", "CYSWLLT_RASA_URL_CY"}
    assert "embedded" in str(found[0])


@pytest.fixture
def clean_env(monkeypatch):
    import os

    for name in [n for n in os.environ if n.startswith("CYSWLLT_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def test_config_check_command_exits_2_and_names_the_variable(clean_env, tmp_path, capsys):
    clean_env.setenv("CYSWLLT_TWILIO_ACCOUNT_SID", "AC1")
    clean_env.setenv("CYSWLLT_TWILIO_AUTH_TOKEN", "t")
    clean_env.setenv("CYSWLLT_TWILIO_FROM", "+447700900000")
    assert cyswllt(["config", "check", "--db", f"sqlite:///{tmp_path}/c.sqlite3"]) == 2
    assert "CYSWLLT_PUBLIC_BASE_URL" in capsys.readouterr().err
    clean_env.setenv("CYSWLLT_PUBLIC_BASE_URL", HTTPS)
    assert cyswllt(["config", "check", "--db", f"sqlite:///{tmp_path}/c.sqlite3"]) == 0
    assert "configuration OK" in capsys.readouterr().out


def test_serve_and_the_scheduler_do_not_start_with_a_configuration_error(clean_env, tmp_path, capsys):
    clean_env.setenv("CYSWLLT_TELEGRAM_TOKEN", "1:abc")
    assert cyswllt(["serve", "--db", f"sqlite:///{tmp_path}/s.sqlite3"]) == 2
    assert "CYSWLLT_TELEGRAM_SECRET" in capsys.readouterr().err
    assert cyswllt(["scheduler", "run", "--db", "postgresql://nobody@127.0.0.1:1/nothing"]) == 2
    assert "CYSWLLT_DATABASE_URL" in capsys.readouterr().err
