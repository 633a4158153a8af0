"""Logging that never writes message text, and shows phone and NHS numbers masked."""
from __future__ import annotations

import logging
import re

# E.164 and UK national forms: +447700900123, 07700 900123, +44 7700 900 123.
PHONE = re.compile(r"(?<![\w+])(\+\d{1,3} ?(?:\d ?){8,12}\d|0\d{3,4} ?\d{3} ?\d{3,4})(?!\w)")
# An NHS number is ten digits, often written 3-3-4.
NHS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# Record attributes that carry what people wrote or were sent; they are dropped, not masked.
TEXT_ATTRIBUTES = ("text", "body", "message_text", "reply")


def mask_address(address: str) -> str:
    """A phone number or chat id with all but the last three characters hidden: +44*******123."""
    address = address or ""
    if len(address) <= 4:
        return "*" * len(address)
    keep_start = 3 if address.startswith("+") else 0
    return address[:keep_start] + "*" * (len(address) - keep_start - 3) + address[-3:]


def redact(text: str) -> str:
    """Mask anything that looks like an NHS number or a phone number."""
    text = NHS.sub(lambda m: "***-***-" + m.group(3)[-2:].rjust(4, "*"), text)
    return PHONE.sub(lambda m: mask_address(m.group(1).replace(" ", "")), text)


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


def configure_logging(level: str = "INFO") -> logging.Handler:
    """Send logs to stderr through the redacting filter and formatter; returns the handler."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
