"""A submitted referral plans the baseline check-in (offered at once, in allowed hours) and the follow-ups."""
from __future__ import annotations

from storage.models import Checkin
from tests.support.referral import finish_quickly, start_referral


def test_a_referral_offers_the_baseline_check_in_and_plans_the_waves(bot):
    start_referral(bot)
    bot.send("Meeting people again")
    finish_quickly(bot)
    waves = sorted(c.wave for c in bot.rows(Checkin))
    assert len(waves) == 3 and "baseline" in waves
    bot.advance("1h").expect_key("checkin.offer_baseline", lang="en", count=20)
    bot.send("CHECKIN").expect_key("q.ons4.life_satisfaction", number=1, total=20)


def test_a_welsh_referral_offers_the_check_in_in_welsh(telegram_bot):
    start_referral(telegram_bot, language="cy")
    telegram_bot.send("Cwrdd â phobl eto")
    finish_quickly(telegram_bot)
    telegram_bot.advance("1h").expect_lang("cy").expect_key("checkin.offer_baseline", lang="cy", count=20)
