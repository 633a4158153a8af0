"""Getting a person into, and quickly through, the self-referral in conversation tests."""
from __future__ import annotations


def start_referral(bot, language="en"):
    """Take the Active Offer, choose the referral from the menu, and give consent."""
    bot.speaking(language)
    bot.send("MENU")
    bot.press("referral")
    bot.press("yes")


def finish_quickly(bot, postcode: str = "CF10 1AA", answers: dict[str, str] | None = None,
                   presses: dict[str, str] | None = None):
    """Give the postcode and any `answers` (typed) or `presses` (buttons), by step name; skip
    everything else, and send."""
    answers = {"postcode": postcode, **(answers or {})}
    presses = presses or {}
    for _ in range(30):
        conversation = bot.conversation()
        if conversation.flow != "referral":
            return
        step = conversation.state["step"]
        if step == "summary":
            bot.press("confirm")
        elif step in presses:
            bot.press(presses[step])
        elif step in answers:
            bot.send(answers[step])
        else:
            bot.press("skip")
    raise AssertionError("the referral did not finish")
