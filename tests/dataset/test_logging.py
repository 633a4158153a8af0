"""Logs never hold message text, and phone and NHS numbers in them are masked."""
from __future__ import annotations

import io
import logging

from bot.logging_setup import RedactingFilter, RedactingFormatter, mask_address, redact


def logged(emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s %(text)s"))
    log = logging.getLogger("cyswllt.test.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        emit(log)
    finally:
        log.removeHandler(handler)
    return stream.getvalue()


def test_numbers_in_messages_and_arguments_are_masked():
    out = logged(lambda log: log.warning("send to %s failed (NHS %s)", "+447700900123", "943 476 5919",
                                         extra={"text": "I feel awful today"}))
    assert "+447700900123" not in out and "+44*******123" in out
    assert "943 476 5919" not in out and "5919" not in out
    assert "I feel awful" not in out and "[withheld]" in out


def test_tracebacks_are_masked_too():
    def emit(log):
        try:
            raise ValueError("bad number 07700 900123")
        except ValueError:
            log.exception("turn failed", extra={"text": "x"})

    out = logged(emit)
    assert "07700 900123" not in out and "ValueError" in out


def test_ordinary_numbers_and_dates_are_left_alone():
    line = "42 rows at 2026-03-02 10:00:00 in 1234567 us"
    assert redact(line) == line


def test_masking_keeps_only_the_end():
    assert mask_address("+447700900123") == "+44*******123"
    assert mask_address("100200300") == "******300"
    assert mask_address("") == ""
