"""Closing a case and the end-of-support conversation, on SQLite and PostgreSQL, in both languages."""
from __future__ import annotations

from storage.models import CaseClosure, Checkin, DataSetEvent, EndOfSupport, Referral
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner


def _referred(bot, language="en", themes="lonely active"):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    start_referral(bot, language)
    words = "Dw i eisiau cwrdd â phobl newydd" if language == "cy" else "I want to meet new people"
    finish_quickly(bot, answers={"what_matters": words, "themes": themes})
    alys.deliver().expect_key("referral.practitioner_new_short", lang="en")
    bot.deliver()
    alys.send("1").expect_key("referral.practitioner_accepted", lang="en")
    return alys


def _events(bot, statement):
    return [e.value for e in bot.rows(DataSetEvent) if e.statement == statement]


def test_close_by_typed_command_records_outcome_and_starts_the_conversation(bot):
    alys = _referred(bot)
    alys.send("CLOSE 1").expect_key("close.ask_goals", id=1, choices=('close:1:goals:fully', 'close:1:goals:partly', 'close:1:goals:not'))
    alys.send("2").expect_key("close.ask_plan", lang="en")
    alys.send("1").expect_key("close.ask_onward", lang="en")
    alys.send("lots").expect_key("close.onward_again", lang="en")
    alys.send("3").expect_key("close.closed", id=1)
    referral = bot.rows(Referral)[0]
    assert referral.status == "closed"
    closure = bot.rows(CaseClosure)[0]
    assert (closure.goals_met, closure.action_plan, closure.onward_referrals) == ("partly", True, 3)
    assert _events(bot, 82) == [{"rater": "practitioner", "met": "partly"}]
    assert _events(bot, 121) == [{"onward": 3}] and _events(bot, 98) == [{"action_plan": True}]
    # Interim waves stop; the final wave comes with the conversation.
    waves = {c.wave: c.status for c in bot.rows(Checkin)}
    assert waves["week6"] == "cancelled" and waves["week12"] == "offered"
    bot.deliver().expect_key("eos.offer", lang="en")

    bot.send("CHECKIN").expect_key("eos.q.satisfaction", number=1, total=9, choices=('very_good', 'good', 'neither', 'poor', 'very_poor', 'dont_know', 'skip'))
    bot.send("excellent!").expect_key("eos.q.information", number=2, total=9)
    bot.send("1").expect_key("eos.q.influence", number=3, total=9)
    bot.send("hmm").expect_key("eos.help", lang="en")
    bot.send("skip").expect_key("eos.q.goal.lonely", number=4, total=9)
    bot.send("about 7").expect_key("eos.q.goal.active", number=5, total=9)
    bot.send("11").expect_key("eos.help_number", lang="en").expect_key("eos.q.goal.active", number=5, total=9)
    bot.send("loads").expect_key("eos.not_understood", lang="en").expect_key("eos.q.goal.active", number=5, total=9)
    bot.send("later").expect_key("eos.paused", lang="en")
    bot.send("CHECKIN").expect_key("eos.resuming", lang="en").expect_key("eos.q.goal.active", number=5, total=9)
    bot.send("4").expect_key("eos.q.activities", number=6, total=9)
    bot.send("didn't go").expect_key("eos.q.changes", number=7, total=9, choices=('skills', 'volunteering', 'knowledge', 'none', 'skip'))
    bot.send("1 3").expect_key("eos.q.difference", number=8, total=9)
    bot.send("I've made two friends at the walking group and I go every week").expect_key("eos.q.quote", number=9, total=9)
    bot.send("yes").expect_key("eos.thanks_then_checkin", lang="en").expect_key("q.ons4.life_satisfaction", number=1)
    alys.deliver().expect_key("eos.practitioner_words_quotable", lang="en").expect("made two friends")

    row = bot.rows(EndOfSupport)[0]
    assert row.status == "completed" and row.quote_ok and row.source == "closed"
    assert row.difference_text.startswith("I've made two friends")
    assert _events(bot, 94) == [{"scale": "fft", "rating": "very_good"}]
    assert _events(bot, 72) == [{"agreement": "strongly_agree"}]
    assert _events(bot, 70) == []  # skipped
    assert sorted(e["score"] for e in _events(bot, 82) if e.get("rater") == "person") == [4, 7]
    assert {e.get("theme") for e in _events(bot, 82) if e.get("rater") == "person"} == {
        "reduce_isolation", "physical_activity"}
    assert _events(bot, 83) == [{"agreement": "not_applicable"}]
    assert _events(bot, 1) == [{"learnt_skills": True}] and _events(bot, 79) == [{"started_volunteering": False}]
    assert _events(bot, 74) == [{"knows_more": True}]
    assert _events(bot, 97) == [{"answered": True}]
    assert not any("friends" in str(e.value) for e in bot.rows(DataSetEvent)), "their words never enter the data set"


def test_close_by_button_in_welsh_and_the_person_answers_in_welsh(bot):
    alys = _referred(bot, "cy", themes="lonely")
    alys.press("close:1:start")
    alys.press("close:1:goals:fully")
    alys.press("close:1:plan:fully:no").expect_key("close.ask_onward", lang="en")
    alys.send("dim").expect_key("close.closed", lang="en")
    assert bot.rows(CaseClosure)[0].onward_referrals == 0
    bot.deliver().expect_key("eos.offer", lang="cy")
    bot.send("LLES").expect_key("eos.q.satisfaction", number=1, total=8, choices=('very_good', 'good', 'neither', 'poor', 'very_poor', 'dont_know', 'skip'))
    bot.send("da iawn").expect_key("eos.q.information", number=2, total=8)
    bot.send("cytuno").expect_key("eos.q.influence", number=3, total=8)
    bot.send("anghytuno'n gryf").expect_key("eos.q.goal.lonely", number=4, total=8)
    bot.send("8").expect_key("eos.q.activities", number=5, total=8)
    bot.send("HEPGOR").expect_key("eos.q.changes", number=6, total=8, choices=('skills', 'volunteering', 'knowledge', 'none', 'skip'))
    bot.send("dim un o'r rhain").expect_key("eos.q.difference", number=7, total=8)
    bot.send("hepgor").expect_key("eos.thanks_then_checkin", "checkin.starting", lang="cy")
    assert _events(bot, 70) == [{"agreement": "strongly_disagree"}]
    assert _events(bot, 1) == [{"learnt_skills": False}]
    assert _events(bot, 97) == [{"answered": False}]
    assert bot.rows(EndOfSupport)[0].difference_text is None


def test_a_case_reaching_its_final_wave_unclosed_starts_the_same_conversation(bot):
    _referred(bot)
    bot.advance("6w").expect_key("checkin.offer_follow_up", count=4)  # the interim wave: ONS-4 alone
    bot.advance("7w").expect_key("eos.offer", lang="en")
    row = bot.rows(EndOfSupport)[0]
    assert row.source == "final_wave" and row.status == "offered"
    assert bot.rows(Referral)[0].status == "accepted"  # still the practitioner's to close
    bot.send("CHECKIN").expect_key("eos.q.satisfaction", number=1, total=9)


def test_closing_twice_or_an_unknown_case_is_answered_kindly(bot):
    alys = _referred(bot)
    alys.send("close 99").expect_key("close.unknown", id="99")
    alys.send("CAU 1").expect_key("close.ask_goals", id=1)
    alys.press("close:1:goals:not")
    alys.press("close:1:plan:not:no")
    alys.send("0").expect_key("close.closed", lang="en")
    alys.send("close 1").expect_key("close.not_open", lang="en")
    assert len(bot.rows(CaseClosure)) == 1
