"""Production logs: one JSON object a line, and no personal data in any of them.

A whole conversation (the Active Offer, a self-referral with a name, a phone and an NHS number,
a risk disclosure, a turn that fails with the person's words in its exception) and the web app
taking SMS and Telegram webhooks are logged at DEBUG; nothing they said or are called appears.
"""
from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logging_setup import HANDLER_NAME, configure_logging, redact_strictly
from tests.support.fake_telegram import TOKEN
from tests.support.referral import finish_quickly
from tests.support.team import linked_practitioner

PHONE = "+447700900123"          # the bot fixture's address
OTHER_PHONE = "07700 900456"     # a number someone types into a message
NAME = "Gwenllian"
NHS_NUMBER = "943 476 5919"
CHAT_ID = 918273645
RISK = "I want to kill myself"
WORDS_IN_A_FAILING_TURN = "Myfanwy ate the crumbly cake"


@pytest.fixture
def json_log():
    root = logging.getLogger()
    saved_level, saved = root.level, [h for h in root.handlers if h.name == HANDLER_NAME]
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "json", stream=stream)
    yield stream
    root.removeHandler(handler)
    for old in saved:
        root.addHandler(old)
    root.setLevel(saved_level)


def lines(stream: io.StringIO) -> list[dict]:
    records = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys()
    return records


def assert_no_personal_data(output: str) -> None:
    for secret in (PHONE, PHONE[3:], "7700900123", "7700 900456", "7700900456", NAME, NHS_NUMBER, "4765919",
                   str(CHAT_ID), RISK, "kill myself", "Myfanwy", "crumbly", TOKEN, TOKEN.split(":")[1]):
        assert secret not in output, f"{secret!r} appears in the logs"


def test_a_whole_conversation_logs_no_personal_data(bot, json_log, monkeypatch):
    # No practitioner at first: the alert cannot be sent to anyone, which is logged as an error.
    bot.speaking("en")
    bot.send(f"Hi, call me on {OTHER_PHONE}")
    bot.send(RISK).expect("Thank you for telling me")
    linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    bot.send("MENU")
    bot.press("referral")
    bot.press("yes")
    finish_quickly(bot, "CF10 1AA", answers={"what_matters": f"Ring me on {OTHER_PHONE}, I'm {NAME}", "name": NAME,
                                             "dob": "1/2/1960", "nhs": NHS_NUMBER, "contact_how": "phone me please",
                                             "phone": OTHER_PHONE})
    assert bot.conversation().state.get("step") != "summary"

    real_parse = bot.app.dispatcher.nlu.parse

    def failing_parse(text, lang):
        if "Myfanwy" in text:
            raise ValueError(f"could not read {text!r}")
        return real_parse(text, lang)

    monkeypatch.setattr(bot.app.dispatcher.nlu, "parse", failing_parse)
    bot.send(WORDS_IN_A_FAILING_TURN)

    records = lines(json_log)
    assert any(r["message"] == "turn failed" and r["exc_type"] == "builtins.ValueError" and r["stack"]
               for r in records), "a failed turn is logged with its type and stack"
    assert any(r["level"] == "ERROR" and r["logger"] == "bot.safeguarding" for r in records)
    assert_no_personal_data(json_log.getvalue())


def test_the_web_app_and_sender_log_no_personal_data(server, json_log, fake_twilio, fake_telegram):
    form = server.twilio.sms(PHONE, f"{RISK}. I'm {NAME}, {OTHER_PHONE}")
    assert server.sms(form).status_code == 200
    update = server.updates.text(CHAT_ID, f"Helo, {NAME} ydw i")
    assert server.telegram(update).status_code == 200
    fake_twilio.fail_next(1, status=500)   # a send that is retried, logged by the sender
    assert server.sms(server.twilio.sms(PHONE, "2")).status_code == 200
    server.drained()
    fake_telegram.wait_for_text(CHAT_ID, "Shwmae")
    lines(json_log)
    assert_no_personal_data(json_log.getvalue())


def test_strict_redaction_masks_chat_ids_and_bot_tokens_and_keeps_the_ends():
    line = redact_strictly(f"chat {CHAT_ID} via https://api.telegram.org/bot{TOKEN}/sendMessage from {PHONE}")
    assert str(CHAT_ID) not in line and "******645" in line
    assert TOKEN not in line and "bot[token]" in line
    assert PHONE not in line and line.endswith("123")
