"""The configuration checked at start: every finding names the environment variable to change.

`cyswllt serve` and `cyswllt scheduler run` refuse to start on an error and log the warnings;
`cyswllt config check` prints them all. Settings that are malformed on their own are refused
earlier, by load_settings; these are the mistakes only visible in combination (a Twilio token
without the public URL its signatures are checked against) or from outside (a database that
does not answer, a Rasa server that is down).
"""
from __future__ import annotations

from datetime import date
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from bot.settings import Settings
from config import setting_path

Role = Literal["web", "scheduler"]


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.setting}: {self.message}"


def error(setting: str, message: str) -> Finding:
    return Finding("error", setting, message)


def warning(setting: str, message: str) -> Finding:
    return Finding("warning", setting, message)


_error, _warning = error, warning


def check_settings(settings: Settings, *, role: Role = "web", workers: int = 1,
                   telegram_polling: bool = False) -> list[Finding]:
    """What can be told from the settings alone."""
    found: list[Finding] = []
    production = settings.service.environment == "production"
    sqlite = settings.database.url.startswith("sqlite")
    if sqlite and workers > 1:
        found.append(_error("CYSWLLT_DATABASE_URL", f"SQLite takes one writer at a time: {workers} workers "
                            "need PostgreSQL (postgresql://user@host:5432/db), or run one worker"))
    if sqlite and production:
        found.append(_warning("CYSWLLT_DATABASE_URL", "SQLite in production: PostgreSQL is the supported "
                              "production database (backups, several workers)"))
    if production and settings.database.auto_migrate:
        found.append(_warning("CYSWLLT_DATABASE_AUTO_MIGRATE", "true in production: set it to false and run "
                              "`cyswllt db upgrade` once per release, not in every process"))
    try:
        ZoneInfo(settings.service.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(_error("CYSWLLT_SERVICE_TIMEZONE", f"unknown time zone {settings.service.timezone!r}"))
    for setting, value in (("CYSWLLT_SAFEGUARDING_PHRASES_FILE", settings.safeguarding.phrases_file),
                           ("CYSWLLT_SAFEGUARDING_CONTACTS_FILE", settings.safeguarding.contacts_file)):
        if not setting_path(value).is_file():
            found.append(_error(setting, f"file {value} does not exist: safeguarding cannot run without it"))
    found += _service_hours_findings(settings)
    if production and settings.logging.format != "json":
        found.append(_warning("CYSWLLT_LOGGING_FORMAT", "set it to json in production, for the log shipper"))
    if production and settings.assets.sample_when_empty:
        found.append(_warning("CYSWLLT_ASSETS_SAMPLE_WHEN_EMPTY", "true in production would offer the SAMPLE "
                              "directory to real people: set false and `cyswllt assets import` your own"))
    if role == "web":
        found += _channel_findings(settings, production, telegram_polling)
    return found


def _service_hours_findings(settings: Settings) -> list[Finding]:
    """People in crisis are told these hours: they must describe a working day, and the contacts
    they are told to use must still be checked."""
    found: list[Finding] = []
    service = settings.service
    if not service.hours_days:
        found.append(_error("CYSWLLT_SERVICE_HOURS_DAYS", "no working days: people in crisis are told when the "
                            "team works (e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"])"))
    if service.hours_start >= service.hours_end:
        found.append(_error("CYSWLLT_SERVICE_HOURS_END", f"{service.hours_end} is not after "
                            f"CYSWLLT_SERVICE_HOURS_START {service.hours_start}"))
    try:
        from bot.safeguarding import ContactsError, load_contacts
        due = load_contacts(settings.safeguarding.contacts_file).review_due(date.today())
    except ContactsError as exc:
        found.append(_error("CYSWLLT_SAFEGUARDING_CONTACTS_FILE", str(exc)))
    else:
        if due:
            found.append(_warning("CYSWLLT_SAFEGUARDING_CONTACTS_FILE", f"crisis contacts past their review date: "
                                  f"{', '.join(due)}: check each against its source and set a new review_by"))
    return found


def _channel_findings(settings: Settings, production: bool, telegram_polling: bool) -> list[Finding]:
    found: list[Finding] = []
    base_url = settings.public.base_url
    if base_url:
        url = urlparse(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            found.append(_error("CYSWLLT_PUBLIC_BASE_URL", f"{base_url!r} is not a URL like https://bot.example.cymru"))
        elif url.scheme != "https":
            message = ("must be https: Telegram only calls https webhooks and Twilio's signatures are "
                       "checked against this exact URL")
            found.append(_error("CYSWLLT_PUBLIC_BASE_URL", message) if production
                         else _warning("CYSWLLT_PUBLIC_BASE_URL", message + " (allowed outside production)"))
    # Each channel checks its own settings (bot/channels/<name>/): those it is configured by,
    # and what a command-line flag asks of it (--telegram-polling).
    from bot.channels import registry

    seen = {(f.level, f.setting) for f in found}
    for spec in registry.specs():
        for finding in spec.check(settings, production=production, polling=telegram_polling):
            if (finding.level, finding.setting) not in seen:   # two Twilio channels: said once
                seen.add((finding.level, finding.setting))
                found.append(finding)
    if production and not settings.dataset.pseudonym_key:
        found.append(_error("CYSWLLT_DATASET_PSEUDONYM_KEY", "needed in production: the Core Data Set export "
                            "pseudonymises with it; set a long random secret and keep it safe"))
    return found


def check_database(settings: Settings) -> list[Finding]:
    """The database answers, and its schema is the one this code expects."""
    from bot.operations import migrations
    from storage.db import make_engine

    engine = make_engine(settings.database.url)
    try:
        try:
            state = migrations(engine)
        except Exception as exc:  # noqa: BLE001 - whatever stops us reaching it, say so
            return [_error("CYSWLLT_DATABASE_URL", f"database unreachable: {type(exc).__name__}: "
                           f"{_first_line(exc)}")]
    finally:
        engine.dispose()
    if state.at_head:
        return []
    unknown = set(state.current) - set(_all_revisions())
    if unknown:
        return [_error("CYSWLLT_DATABASE_URL", f"the database is at {', '.join(sorted(unknown))}, which this "
                       "version does not know: it was upgraded by a newer release")]
    where = ", ".join(state.current) or "empty"
    if settings.database.auto_migrate:
        return [_warning("CYSWLLT_DATABASE_AUTO_MIGRATE", f"schema at {where}, not {', '.join(state.head)}: "
                         "it will be upgraded at start")]
    return [_error("CYSWLLT_DATABASE_AUTO_MIGRATE", f"schema at {where}, not {', '.join(state.head)}: run "
                   "`cyswllt db upgrade` (auto_migrate is false)")]


def check_rasa(settings: Settings, timeout_s: float = 2.0) -> list[Finding]:
    if settings.nlu.backend != "rasa":
        return []
    found = []
    for lang, url in (("en", settings.rasa.url_en), ("cy", settings.rasa.url_cy)):
        try:
            httpx.get(f"{url.rstrip('/')}/", timeout=timeout_s).raise_for_status()
        except httpx.HTTPError as exc:
            found.append(_warning(f"CYSWLLT_RASA_URL_{lang.upper()}", f"Rasa NLU at {url} not answering "
                                  f"({type(exc).__name__}): the embedded NLU will answer until it does"))
    return found


def check_configuration(settings: Settings, *, role: Role = "web", workers: int = 1,
                        telegram_polling: bool = False, connect: bool = True) -> list[Finding]:
    found = check_settings(settings, role=role, workers=workers, telegram_polling=telegram_polling)
    if connect:
        found += check_database(settings)
        found += check_rasa(settings)
    return found


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]


def _all_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]
