"""Logging that never writes message text, and shows phone and NHS numbers masked.

Two formats (setting `logging.format`, CYSWLLT_LOGGING_FORMAT): `text` for a person at a
terminal, `json` for production: one JSON object a line, for a log shipper to read. The JSON
format keeps only an allow-list of fields, masks every long number (a Telegram chat id looks
like any other number) and, for an exception that is not the system's own (database, network),
writes its type and where it happened but not its message, which may quote what someone wrote.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import datetime, timezone

# E.164 and UK national forms: +447700900123, 07700 900123, +44 7700 900 123.
PHONE = re.compile(r"(?<![\w+])(\+\d{1,3} ?(?:\d ?){8,12}\d|0\d{3,4} ?\d{3} ?\d{3,4})(?!\w)")
# An NHS number is ten digits, often written 3-3-4.
NHS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# Record attributes that carry what people wrote or were sent; they are dropped, not masked.
TEXT_ATTRIBUTES = ("text", "body", "message_text", "reply")
# A Telegram bot token in a request URL (httpx logs them): a secret.
BOT_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
# Seven digits or more: a Telegram chat id, or a number that might be one.
LONG_NUMBER = re.compile(r"(?<![\w*])(\d{4,})(\d{3})(?!\d)")
# Record attributes written as JSON fields (anything else a caller passes is dropped): what a
# record is about, never who.
SAFE_FIELDS = ("channel", "result", "status", "kind", "lang", "backend", "attempts", "request",
               "alert", "outbound_id", "inbound_id", "job", "duration_ms", "address", "event")
# Exceptions about the system, not the person: their message (e.g. "connection refused") is kept.
SYSTEM_ERRORS = ("sqlalchemy.", "psycopg.", "httpx.", "httpcore.", "OSError", "ConnectionError",
                 "TimeoutError", "builtins.OSError", "builtins.ConnectionRefusedError",
                 "builtins.TimeoutError", "asyncio.")
# Libraries that log what they send, to whom, at INFO or DEBUG: URLs with the bot token, chat
# ids, whole message texts (python-telegram-bot at DEBUG, twilio's client at INFO). They are
# held at WARNING whatever the level.
NOISY_LOGGERS = ("httpx", "httpcore", "telegram", "twilio", "aiohttp", "urllib3", "apscheduler.executors",
                 "uvicorn.access")


def mask_address(address: str) -> str:
    """A phone number or chat id with all but the last three characters hidden: +44*******123."""
    address = address or ""
    if len(address) <= 4:
        return "*" * len(address)
    keep_start = 3 if address.startswith("+") else 0
    return address[:keep_start] + "*" * (len(address) - keep_start - 3) + address[-3:]


def redact(text: str) -> str:
    """Mask anything that looks like an NHS number or a phone number."""
    text = BOT_TOKEN.sub("bot[token]", text)
    text = NHS.sub(lambda m: "***-***-" + m.group(3)[-2:].rjust(4, "*"), text)
    return PHONE.sub(lambda m: mask_address(m.group(1).replace(" ", "")), text)


def redact_strictly(text: str) -> str:
    """redact, and mask every number of seven digits or more (chat ids) too."""
    return LONG_NUMBER.sub(lambda m: "*" * len(m.group(1)) + m.group(2), redact(text))


class RedactingFilter(logging.Filter):
    """Formats the message once, masked, and drops any message text passed as an extra."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        for name in TEXT_ATTRIBUTES:
            if hasattr(record, name):
                setattr(record, name, "[withheld]")
        if hasattr(record, "address"):
            record.address = mask_address(str(record.address))
        return True


class RedactingFormatter(logging.Formatter):
    """Masks tracebacks too: an exception message may quote a number or a message."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return redact(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JSONFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the allow-listed fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_strictly(record.getMessage()),
        }
        for name in SAFE_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value if isinstance(value, (int, float, bool)) else redact_strictly(str(value))
        if record.exc_info and record.exc_info[0] is not None:
            entry.update(describe_exception(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def describe_exception(exc_info) -> dict:
    """The exception's type and stack; its message only when it is about the system."""
    kind, exc, tb = exc_info
    name = f"{kind.__module__}.{kind.__qualname__}"
    described = {"exc_type": name, "stack": [f"{f.filename}:{f.lineno} in {f.name}"
                                             for f in traceback.extract_tb(tb)][-12:]}
    if name.startswith(SYSTEM_ERRORS) or isinstance(exc, OSError):
        described["exc_message"] = redact_strictly(str(exc))[:500]
    return described


HANDLER_NAME = "cyswllt"


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes, not when the handler was made
    (a command run in-process, as the tests do, may outlive the stderr it started with)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(level: str = "INFO", fmt: str = "text", stream=None) -> logging.Handler:
    """Send logs to stderr (or `stream`) through the redacting filter, as text or JSON lines.

    Called again (a command reading its settings after the CLI's default), it replaces its own
    handler rather than adding a second one.
    """
    handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderr()
    handler.name = HANDLER_NAME
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
