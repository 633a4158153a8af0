"""Check-ins people will finish: ONS-4 alone between, the longer tools at baseline and the final wave."""
from __future__ import annotations

from storage.models import Checkin, CheckinScore, DataSetEvent, EndOfSupport
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner

# Baseline and final wave: ONS-4 (4), loneliness (4), SWEMWBS (7), MHC-SF social (5) = 20.
FULL = 20
BASELINE = ["3", "4", "2", "8", "3", "3", "2", "1", "2", "2", "1", "2", "3", "1", "2",
            "2", "2", "1", "1", "2"]            # MHC-SF social: offered 1..6, so 8 -> score 3
FINAL = ["7", "7", "6", "3", "1", "2", "1", "4", "4", "4", "3", "4", "4", "3", "4",
         "5", "4", "4", "4", "5"]               # 22 -> score 17


def _answer(bot, answers, total, thanks):
    for number, answer in enumerate(answers, 1):
        replies = bot.send(answer)
        if number < len(answers):     # the next item, numbered of the total
            asked = replies.said[-1].params
            assert (asked.get("number"), asked.get("total")) == (number + 1, total), replies.keys
        else:
            replies.expect_key(thanks)
        if number == 15:
            replies.expect_key("q.mhc_social.intro", lang="en")


def test_referral_baseline_interim_and_final_waves(bot):
    linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    start_referral(bot)
    finish_quickly(bot, answers={"what_matters": "Meeting people", "themes": "lonely"})
    bot.advance("1h").expect_key("checkin.offer_baseline", count=FULL)
    bot.send("CHECKIN").expect_key("q.ons4.intro", lang="en").expect_key("q.ons4.life_satisfaction", number=1, total=FULL)
    _answer(bot, BASELINE, FULL, "checkin.thanks")
    assert {c.wave: c.questionnaires for c in bot.rows(Checkin)} == {
        "baseline": ["ons4", "ons_loneliness", "swemwbs", "mhc_social"], "week6": ["ons4"],
        "week12": ["ons4", "ons_loneliness", "swemwbs", "mhc_social"]}

    bot.advance("6w").expect_key("checkin.offer_follow_up", count=4)
    bot.send("CHECKIN").expect_key("q.ons4.life_satisfaction", number=1, total=4)
    _answer(bot, ["5", "5", "5", "5"], 4, "checkin.thanks")

    bot.advance("6w").expect_key("eos.offer", lang="en")
    bot.send("CHECKIN").expect_key("eos.q.satisfaction", number=1, total=8)
    for answer in ["good", "agree", "agree", "6", "agree", "none of these", "skip"]:
        bot.send(answer)
    assert bot.rows(EndOfSupport)[0].status == "completed"
    _answer(bot, FINAL, FULL, "checkin.thanks")

    social = {e.value["wave"]: e.value["score"] for e in bot.rows(DataSetEvent) if e.statement == 93}
    assert social == {"baseline": 3, "12w": 17}
    assert bot.rows(CheckinScore, wave="week12", measure="social")[0].change == 14
    assert not [e for e in bot.rows(DataSetEvent) if e.statement == 93 and e.value["wave"] == "6w"]


def test_a_check_in_a_person_starts_is_four_questions_in_welsh(bot):
    bot.speaking("cy")
    bot.send("LLES").expect_key("consent.question", lang="cy")
    bot.send("ydw").expect_key("checkin.starting", count=4).expect_key("q.ons4.life_satisfaction", number=1, total=4)
    for answer in ["saith", "7/10", "tua chwech"]:
        bot.send(answer)
    bot.send("tri").expect_key("checkin.thanks", lang="cy")
    bot.send("LLES").expect_key("q.ons4.life_satisfaction", number=1, total=4)   # a second one they start: four again
