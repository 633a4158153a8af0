"""Secrets only from the environment, whatever their case in the file; strong enough in production."""
from __future__ import annotations

import pytest

from bot.config_check import check_settings, errors
from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize("text, variable", [
    ('[TELEGRAM]\ntoken = "123:abc"\n', "CYSWLLT_TELEGRAM_TOKEN"),
    ('[telegram]\nTOKEN = "123:abc"\n', "CYSWLLT_TELEGRAM_TOKEN"),
    ('[Twilio]\nAuth_Token = "x"\n', "CYSWLLT_TWILIO_AUTH_TOKEN"),
    ('[DataSet]\npseudonym_KEY = "a-long-enough-secret"\n', "CYSWLLT_DATASET_PSEUDONYM_KEY"),
    ('[database]\nurl = "postgresql://cyswllt:hunter2@db.example/cyswllt"\n', "CYSWLLT_DATABASE_URL"),
    ('[DATABASE]\nURL = "postgresql+psycopg://u:p@localhost/c"\n', "CYSWLLT_DATABASE_URL"),
])
def test_a_secret_in_the_settings_file_is_refused_in_any_case(tmp_path, text, variable):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=variable) as raised:
        load_settings(path, environ={})
    assert "hunter2" not in str(raised.value)


def test_a_database_url_without_a_password_may_be_in_the_file(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[database]\nurl = "postgresql://cyswllt@/cyswllt"\n')
    assert load_settings(path, environ={}).database.url == "postgresql://cyswllt@/cyswllt"


def _production(**env):
    base = {"CYSWLLT_SERVICE_ENVIRONMENT": "production", "CYSWLLT_PUBLIC_BASE_URL": "https://cyswllt.example.cymru",
            "CYSWLLT_TELEGRAM_TOKEN": "123:abc", "CYSWLLT_DATABASE_URL": "postgresql://cyswllt@/cyswllt",
            "CYSWLLT_DATASET_PSEUDONYM_KEY": "k" * 32, "CYSWLLT_TELEGRAM_SECRET": "s" * 32}
    base.update(env)
    return load_settings(environ={k: v for k, v in base.items() if v is not None})


def test_production_refuses_a_short_telegram_secret():
    assert errors(check_settings(_production())) == []
    found = errors(check_settings(_production(CYSWLLT_TELEGRAM_SECRET="s3cret-Token")))
    assert {f.setting for f in found} == {"CYSWLLT_TELEGRAM_SECRET"}
    assert "32" in str(found[0])
    # Outside production a short secret is allowed (trying it out).
    short = _production(CYSWLLT_TELEGRAM_SECRET="s3cret-Token", CYSWLLT_SERVICE_ENVIRONMENT="development")
    assert errors(check_settings(short)) == []


def test_production_refuses_a_missing_pseudonym_key():
    found = errors(check_settings(_production(CYSWLLT_DATASET_PSEUDONYM_KEY=None)))
    assert {f.setting for f in found} == {"CYSWLLT_DATASET_PSEUDONYM_KEY"}
