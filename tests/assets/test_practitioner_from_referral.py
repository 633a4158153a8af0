"""After a referral, "send to my practitioner" reaches the practitioner the referral was routed to."""
from __future__ import annotations

from storage.models import AssetSignpost
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner


def test_the_referrals_practitioner_is_told(bot):
    alys = linked_practitioner(bot, "Alys", "Conwy", "+447700900901", areas=["LL"])
    start_referral(bot)
    bot.send("Singing again")
    finish_quickly(bot, postcode="LL30 1AA")
    alys.deliver()
    bot.send("MENU")
    bot.send("choir near Llandudno")
    bot.send("1").expect("Send to my practitioner")
    bot.send("Send to my practitioner").expect("let your practitioner know")
    alys.deliver().expect("Llandudno")
    [signpost] = bot.rows(AssetSignpost)
    assert signpost.practitioner_told
