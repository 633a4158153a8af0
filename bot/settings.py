"""Cyswllt's settings: read once at start from a TOML file and CYSWLLT_* environment variables.

Every setting `section.key` can be overridden by the environment variable
`CYSWLLT_SECTION_KEY` (for example `database.url` -> `CYSWLLT_DATABASE_URL`).
Precedence: the environment, then the TOML file, then the defaults below.
Secrets are accepted only from the environment, never from the file, and are `SecretStr`:
unwrapped (`.get_secret_value()`) only where they are used, masked in reprs, logs and dumps.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from config import user_dir
from pydantic import (AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_serializer,
                      field_validator)
from pydantic_settings import (BaseSettings, EnvSettingsSource, InitSettingsSource, SettingsConfigDict,
                               TomlConfigSettingsSource)
from pydantic_settings.sources.utils import parse_env_vars
from sqlalchemy.engine import make_url

ENV_PREFIX = "CYSWLLT_"
SETTINGS_FILE_ENV = "CYSWLLT_SETTINGS"


def _default_database_url(environ: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{user_dir('state', environ) / 'cyswllt.sqlite3'}"


def _default_nlu_cache_dir(environ: Mapping[str, str] | None = None) -> str:
    return str(user_dir("cache", environ) / "nlu")

# (section, key) pairs that may only come from the environment.
SECRETS = {
    ("telegram", "token"),
    ("telegram", "secret"),
    ("twilio", "auth_token"),
    ("dataset", "pseudonym_key"),
}


def hhmm(value: str) -> str:
    """A time of day as HH:MM (service hours, quiet hours), refused otherwise."""
    hours, sep, minutes = value.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError("expected a time as HH:MM")
    return value


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the setting."""


class DatabaseSettings(BaseModel):
    # A SQLite file in the user's state folder (see user_dir), so a first start needs no setup.
    # A plain string, used as such by every command and --db; it is a secret only when it holds a
    # password, which reprs and dumps show as *** (SecretStr would hide the whole URL).
    url: str = Field(default_factory=_default_database_url)
    auto_migrate: bool = True

    def __repr_args__(self):
        for name, value in super().__repr_args__():
            yield name, (masked_url(value) if name == "url" else value)

    @field_serializer("url")
    def _masked(self, url: str) -> str:
        return masked_url(url)

    @field_validator("url")
    @classmethod
    def _known_dialect(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("expected a sqlite:/// or postgresql:// URL")
        return url


class ServiceSettings(BaseModel):
    name: str = "Cyswllt"
    default_language: Literal["cy", "en"] = "cy"
    timezone: str = "Europe/London"
    # "production" makes `cyswllt config check` strict: https public URL, webhook secrets, no SQLite.
    environment: Literal["development", "production"] = "development"
    # A person who writes again after this many hours, part-way through something, is welcomed back
    # and asked whether to carry on or start again (their "hello" is not taken as an old answer).
    welcome_back_after_hours: float = Field(default=24, gt=0)
    # When the team works (local time): told to a person in crisis, so they know when a person may
    # read their message and that the crisis contacts are the way to get help until then.
    hours_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "tue", "wed", "thu", "fri"]
    hours_start: str = "09:00"
    hours_end: str = "17:00"

    @field_validator("hours_start", "hours_end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return hhmm(value)


class NLUSettings(BaseModel):
    backend: Literal["embedded", "rasa"] = "embedded"
    # Trained models; a relative path is taken from the working directory.
    cache_dir: str = Field(default_factory=_default_nlu_cache_dir)


class RasaSettings(BaseModel):
    python: str = ""
    env_dir: str = ""
    url_en: str = "http://127.0.0.1:5005"
    url_cy: str = "http://127.0.0.1:5006"
    timeout_s: float = 0.5


class PublicSettings(BaseModel):
    base_url: str = ""


class _WithSecrets(BaseModel):
    # Assigning a plain string (a test, a bench, a command's option) still makes a SecretStr.
    model_config = ConfigDict(validate_assignment=True)


class TelegramSettings(_WithSecrets):
    token: SecretStr = SecretStr("")
    secret: SecretStr = SecretStr("")
    api_base: str = "https://api.telegram.org/bot"


class TwilioSettings(_WithSecrets):
    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    # `from` in the file and CYSWLLT_TWILIO_FROM; `from_` in Python, where `from` is a keyword.
    from_: str = Field("", validation_alias=AliasChoices("from", "from_"))
    messaging_service_sid: str = ""
    api_base: str = "https://api.twilio.com"
    # The WhatsApp sender ("whatsapp:+44..."): set, it turns the WhatsApp channel on (bot/channels/whatsapp).
    whatsapp_from: str = ""


class WhatsAppTemplate(BaseModel):
    """A Twilio Content template approved for one message kind in one language."""

    content_sid: str
    # The message's parameters in the template's order: {{1}} is the first, and so on. A name
    # may carry the catalog's mutation, "activity:soft", to fill it mutated as the text would.
    variables: list[str] = []

    @field_validator("content_sid")
    @classmethod
    def _sid(cls, value: str) -> str:
        if not (value.startswith("HX") and len(value) == 34):
            raise ValueError("expected a Content SID, HX and 32 characters")
        return value


class WhatsAppSettings(BaseModel):
    """WhatsApp through Twilio: what may go outside the 24-hour customer-service window."""

    # Catalog key -> language ("cy", "en") -> template; see docs/whatsapp.md. A message due
    # outside the window with no template here is held (status "held"), never sent free-form.
    templates: dict[str, dict[Literal["cy", "en"], WhatsAppTemplate]] = {}
    # Messages a second from the WhatsApp sender (Twilio's default throughput for one is 80).
    per_second: float = Field(80.0, gt=0)


class SenderSettings(BaseModel):
    """How fast and how persistently the outbox is sent."""

    # Telegram allows about 30 messages a second overall and 1 a second per chat (short bursts ok).
    telegram_per_second: float = 30.0
    telegram_per_chat_per_second: float = 1.0
    telegram_per_chat_burst: int = 3
    # Twilio queues what a sending number cannot send at once; a long code sends 1 segment a second.
    twilio_segments_per_second: float = 1.0
    max_attempts: int = 8
    # ...and for at least this long, so a provider outage of some minutes loses nothing.
    retry_for_s: float = 1800.0
    backoff_base_s: float = 1.0
    backoff_max_s: float = 300.0
    # How long a row may be "sending" before it counts as interrupted (longer than any HTTP timeout).
    claim_s: float = 60.0
    # An interrupted row older than this is not resent (see README: crash between send and record).
    resend_window_s: float = 600.0
    concurrency: int = 64
    batch: int = 500
    idle_poll_s: float = 0.2
    http_timeout_s: float = 10.0
    # How many senders share the outbox (`cyswllt serve --workers N` sets it): each sends at
    # 1/N of the rates above, and they take turns to claim (see bot/sender.py).
    instances: int = 1


class QuietHoursSettings(BaseModel):
    """Unprompted messages (check-ins, reminders) are only sent between start and end, local time."""

    start: str = "09:00"
    end: str = "20:00"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return hhmm(value)


class AssetsSettings(BaseModel):
    """The community asset directory."""

    # Load the shipped SAMPLE directory when the directory is empty, so search works at once.
    # Production sets this to false and imports its own directory (`cyswllt assets import`).
    sample_when_empty: bool = True
class SafeguardingSettings(BaseModel):
    """The risk screen, crisis contacts, and how alerts to practitioners escalate."""

    phrases_file: str = "config/safeguarding/phrases.yml"
    contacts_file: str = "config/safeguarding/crisis_contacts.yml"
    # An NLU "risk" parse at or above this confidence counts as a disclosure (low: when in doubt, risk).
    nlu_threshold: float = Field(0.35, ge=0, le=1)
    # An alert nobody has acknowledged after this long goes to the next person on the team's list.
    escalate_after_minutes: float = Field(15, gt=0)
    # The team whose list is used when the person has no referral and no postcode (empty: the first team).
    default_team: str = ""
    # Words the gentle check ("are you safe right now?") may be answered with.
    check_answers_file: str = "config/safeguarding/check_answers.yml"
    # A gentle check unanswered after this long: the clear tier if there is another signal, else noted.
    check_wait_minutes: float = Field(60, gt=0)
    # A possible risk within this many days of an earlier alert or concern is a second signal: the clear tier.
    signal_window_days: float = Field(7, gt=0)
    # The learned second reader (bot/risk_model.py): a gentle check for what the phrase list misses.
    risk_model: bool = True


class ReferralSettings(BaseModel):
    """Self-referral: reminders for unfinished referrals and what people are told to expect."""

    reminder_after_days: float = Field(2, gt=0)
    # Days without an answer (counted from the last message) after which a referral is closed.
    abandon_after_days: float = Field(7, gt=0)
    # "A practitioner will contact you within N working days" in the confirmation.
    contact_within_days: int = Field(5, gt=0)
    # Hours a routed referral may wait to be accepted before its practitioner is reminded (once).
    accept_reminder_after_hours: float = Field(48, gt=0)
    # Hours after that reminder a referral still not accepted goes to the team's lead (the team's
    # safeguarding lead, else the first on its escalation list) and is listed by `cyswllt status`.
    escalate_to_lead_after_hours: float = Field(24, gt=0)

class CheckinSettings(BaseModel):
    """Wellbeing check-ins (waves after referral, reminders, expiry) and practitioner nudges."""

    # Questionnaires asked at baseline and at the final wave, in order (files in config/questionnaires/).
    questionnaires: list[str] = ["ons4", "ons_loneliness", "swemwbs", "mhc_social"]
    # Asked at interim waves and when a person starts a check-in themselves: ONS-4 alone, four questions.
    interim_questionnaires: list[str] = ["ons4"]
    follow_up_weeks: list[int] = [6, 12]
    reminder_after_hours: float = 24
    max_reminders: int = 2
    expire_after_days: float = 7
    # The practitioner is asked the day after the activity at this local time.
    nudge_time: str = "10:00"
    nudge_reminder_after_hours: float = 24
    # Nudges still unanswered after their reminder go into one daily digest at this local time.
    digest_time: str = "09:00"
    not_yet_ask_again_days: float = 7
    # A person who asked for one gets a reminder the day before an activity, at this local time.
    booking_reminder_time: str = "17:00"

    @field_validator("nudge_time", "digest_time", "booking_reminder_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        return QuietHoursSettings._hhmm(value)

    @field_validator("follow_up_weeks")
    @classmethod
    def _weeks(cls, value: list[int]) -> list[int]:
        if any(w <= 0 for w in value) or len(set(value)) != len(value):
            raise ValueError("expected distinct whole numbers of weeks above 0")
        return sorted(value)


class SchedulerSettings(BaseModel):
    """The scheduler that runs due work (check-ins, reminders, nudges) in one process at a time."""

    interval_seconds: float = 60
    # How late a run may start after a pause (seconds); the due work catches up whatever it missed.
    misfire_grace_seconds: int = 3600
    # How often a waiting scheduler tries to take over the lock (seconds).
    lock_poll_seconds: float = 5
    # SQLite only: the lock file (default: the database file's name + ".scheduler.lock").
    lock_path: str = ""


class LoggingSettings(BaseModel):
    """Where logs go is stderr (journald, a container's log); this says how they look."""

    # "json": one object a line for a log shipper (production); "text": for a person reading.
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value):
        return value.upper() if isinstance(value, str) else value


class DatasetSettings(_WithSecrets):
    pseudonym_key: SecretStr = SecretStr("")


class PrivacySettings(BaseModel):
    # Message text (inbox and outbox) is blanked after this many days; data set events are kept.
    message_retention_days: int = Field(default=90, ge=1)
    # The data controller named in the privacy notice (PRIVACY / PREIFATRWYDD), and how to reach them.
    controller_name: str = "Cyswllt (example health board)"
    controller_contact: str = "dpo@example.org"
    # The team acting as data-protection role: its practitioners get every erasure request too, and
    # may act on any (empty: only the person's own team gets them).
    data_protection_team: str = ""


class Settings(BaseSettings):
    """All of Cyswllt's settings, one section per concern."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    service: ServiceSettings = ServiceSettings()
    # Made at load, not import, so that their default folders follow the environment given.
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nlu: NLUSettings = Field(default_factory=NLUSettings)
    rasa: RasaSettings = RasaSettings()
    public: PublicSettings = PublicSettings()
    telegram: TelegramSettings = TelegramSettings()
    twilio: TwilioSettings = TwilioSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()
    dataset: DatasetSettings = DatasetSettings()
    sender: SenderSettings = SenderSettings()
    privacy: PrivacySettings = PrivacySettings()
    quiet_hours: QuietHoursSettings = QuietHoursSettings()
    assets: AssetsSettings = AssetsSettings()
    safeguarding: SafeguardingSettings = SafeguardingSettings()
    referral: ReferralSettings = ReferralSettings()
    checkins: CheckinSettings = CheckinSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    logging: LoggingSettings = LoggingSettings()


class _EnvironSource(EnvSettingsSource):
    """The CYSWLLT_* variables of the given mapping, read without writing it into os.environ
    (which other threads share). pydantic-settings' EnvSettingsSource reads os.environ in
    _load_env_vars and has no parameter for another mapping (pydantic-settings#653), so this
    overrides that one method, as its own DotEnvSettingsSource does."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


def _env_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    parts = [p.rstrip("_") for p in parts]
    return ENV_PREFIX + "_".join(parts).upper()


def _toml_source(path: Path) -> TomlConfigSettingsSource:
    """The settings file, through pydantic-settings' own TOML source; a missing file (which that
    source would skip), bad TOML or a secret in it is refused, naming the file."""
    if not path.is_file():
        raise SettingsError(f"settings file {path} (from {SETTINGS_FILE_ENV}) does not exist")
    try:
        source = TomlConfigSettingsSource(Settings, toml_file=path)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from None
    _refuse_secrets(source.toml_data, path)
    return source


def _refuse_secrets(data: dict[str, Any], path: Path) -> None:
    """A secret in the settings file is refused, however its section or name is capitalised
    (a file is copied, shared and committed; the environment is not)."""
    for section_name, section in data.items():
        if not isinstance(section, dict):
            continue
        for key, value in section.items():
            where = (section_name.casefold(), key.casefold())
            if where in SECRETS or (where == ("database", "url") and _has_password(value)):
                raise SettingsError(
                    f"{section_name}.{key} is a secret: remove it from {path} and set "
                    f"{ENV_PREFIX}{where[0].upper()}_{where[1].upper()} in the environment instead"
                    + (" (a database URL with a password is a secret)" if where == ("database", "url") else ""))


def _has_password(url: Any) -> bool:
    try:
        return bool(isinstance(url, str) and make_url(url).password)
    except Exception:  # noqa: BLE001 - not a URL: the setting's own check names it later
        return False


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings file (if any) and the environment (os.environ, or the mapping given) into
    one Settings object. Nothing is written to os.environ."""
    env = os.environ if environ is None else environ
    file_path = path or env.get(SETTINGS_FILE_ENV)
    # Highest precedence first: the environment, the file, then the default folders, which follow
    # the XDG_* variables of the environment given (the model's own defaults follow os.environ).
    sources = (
        _EnvironSource(Settings, env),
        *([_toml_source(Path(file_path))] if file_path else []),
        InitSettingsSource(Settings, {"database": {"url": _default_database_url(env)},
                                      "nlu": {"cache_dir": _default_nlu_cache_dir(env)}}),
    )
    try:
        return Settings(_build_sources=(sources, {}))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = _env_name(error["loc"])
            if error["type"] == "extra_forbidden":
                problems.append(f"{name}: unknown setting")
            else:
                problems.append(f"{name}: {error['msg']} (got {_shown(error['loc'], error.get('input'))!r})")
        raise SettingsError("; ".join(problems)) from None


def _shown(loc: tuple[Any, ...], value: Any) -> Any:
    """A rejected value as an error message may show it: never a secret's."""
    where = tuple(str(p).casefold() for p in loc[:2])
    if where in SECRETS or (where == ("database", "url") and _has_password(value)):
        return "(hidden)"
    return value


def masked_url(url: str) -> str:
    """A database URL with its password, if any, shown as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL: nothing in it to hide
        return url
