"""A Telegram deep link's referral source survives the language choice and the self-referral (issue 20 item 4)."""
from __future__ import annotations

import pytest

from storage.models import Referral


@pytest.mark.parametrize("language, choose, refer, consent", [("en", "2", "refer myself", "yes"),
                                                              ("cy", "1", "cyfeirio fy hun", "ydw")])
def test_the_deep_link_source_is_kept_to_the_end(telegram_bot, language, choose, refer, consent):
    telegram_bot.send("/start", payload="GP-W91234")
    telegram_bot.send(choose).expect_lang(language)
    telegram_bot.send(refer)
    telegram_bot.send(consent)
    steps = []
    for _ in range(25):
        conversation = telegram_bot.conversation()
        if conversation.flow != "referral":
            break
        steps.append(conversation.state["step"])
        if conversation.state["step"] == "summary":
            telegram_bot.press("confirm")
        elif conversation.state["step"] == "postcode":
            telegram_bot.send("CF10 1AA")
        else:
            telegram_bot.press("skip")
    assert "route" not in steps, "asked who suggested it although the link said"
    [referral] = telegram_bot.rows(Referral)
    assert (referral.source, referral.route) == ("GP-W91234", "gp")
