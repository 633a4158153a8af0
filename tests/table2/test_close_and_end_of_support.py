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
    alys.deliver().expect("NEW REFERRAL")
    bot.deliver()
    alys.send("1").expect("accepted")
    return alys


def _events(bot, statement):
    return [e.value for e in bot.rows(DataSetEvent) if e.statement == statement]


def test_close_by_typed_command_records_outcome_and_starts_the_conversation(bot):
    alys = _referred(bot)
    alys.send("CLOSE 1").expect("Closing referral 1", "Fully", "Partly", "Not met")
    alys.send("2").expect("action plan")
    alys.send("1").expect("onward referrals")
    alys.send("lots").expect("number from 0 to 50")
    alys.send("3").expect("Referral 1 is closed")
    referral = bot.rows(Referral)[0]
    assert referral.status == "closed"
    closure = bot.rows(CaseClosure)[0]
    assert (closure.goals_met, closure.action_plan, closure.onward_referrals) == ("partly", True, 3)
    assert _events(bot, 82) == [{"rater": "practitioner", "met": "partly"}]
    assert _events(bot, 121) == [{"onward": 3}] and _events(bot, 98) == [{"action_plan": True}]
    # Interim waves stop; the final wave comes with the conversation.
    waves = {c.wave: c.status for c in bot.rows(Checkin)}
    assert waves["week6"] == "cancelled" and waves["week12"] == "offered"
    bot.deliver().expect("Your support from Cyswllt has come to an end", "CHECKIN")

    bot.send("CHECKIN").expect("(1/9) Overall, how was your experience", "Very good")
    bot.send("excellent!").expect("(2/9)", "right information")
    bot.send("1").expect("(3/9)", "had a say")
    bot.send("hmm").expect("pick one of the answers")
    bot.send("skip").expect("(4/9) You said feeling less alone mattered to you")
    bot.send("about 7").expect("(5/9) You said being more active mattered")
    bot.send("11").expect("whole number from 0", "(5/9)")
    bot.send("loads").expect("didn't understand", "(5/9)")
    bot.send("later").expect("Reply CHECKIN whenever")
    bot.send("CHECKIN").expect("Welcome back", "(5/9) You said being more active")
    bot.send("4").expect("(6/9)", "activities or groups")
    bot.send("didn't go").expect("(7/9)", "Learnt a new skill")
    bot.send("1 3").expect("(8/9) In your own words")
    bot.send("I've made two friends at the walking group and I go every week").expect("(9/9)", "quote")
    bot.send("yes").expect("Now your last wellbeing check-in", "(1/")
    alys.deliver().expect("made two friends", "agreed to be quoted")

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
    alys.press("close:1:plan:fully:no").expect("onward")
    alys.send("dim").expect("closed")
    assert bot.rows(CaseClosure)[0].onward_referrals == 0
    bot.deliver().expect("Mae eich cymorth gan Cyswllt wedi dod i ben", "LLES")
    bot.send("LLES").expect("(1/8) At ei gilydd, sut oedd eich profiad", "Da iawn")
    bot.send("da iawn").expect("(2/8)", "wybodaeth")
    bot.send("cytuno").expect("(3/8)", "lais yn y penderfyniadau")
    bot.send("anghytuno'n gryf").expect("(4/8) Fe ddywedoch chi fod teimlo'n llai unig yn bwysig i chi")
    bot.send("8").expect("(5/8)")
    bot.send("HEPGOR").expect("(6/8)", "Dysgu sgil newydd")
    bot.send("dim un o'r rhain").expect("(7/8)", "Yn eich geiriau eich hun")
    bot.send("hepgor").expect("Diolch", "holiadur llesiant olaf")
    assert _events(bot, 70) == [{"agreement": "strongly_disagree"}]
    assert _events(bot, 1) == [{"learnt_skills": False}]
    assert _events(bot, 97) == [{"answered": False}]
    assert bot.rows(EndOfSupport)[0].difference_text is None


def test_a_case_reaching_its_final_wave_unclosed_starts_the_same_conversation(bot):
    _referred(bot)
    bot.advance("6w").expect("wellbeing check-in: 4 short questions")  # the interim wave: ONS-4 alone
    bot.advance("7w").expect("Your support from Cyswllt has come to an end")
    row = bot.rows(EndOfSupport)[0]
    assert row.source == "final_wave" and row.status == "offered"
    assert bot.rows(Referral)[0].status == "accepted"  # still the practitioner's to close
    bot.send("CHECKIN").expect("(1/9) Overall")


def test_closing_twice_or_an_unknown_case_is_answered_kindly(bot):
    alys = _referred(bot)
    alys.send("close 99").expect("can't find an open referral 99")
    alys.send("CAU 1").expect("Closing referral 1")
    alys.press("close:1:goals:not")
    alys.press("close:1:plan:not:no")
    alys.send("0").expect("is closed")
    alys.send("close 1").expect("is not open")
    assert len(bot.rows(CaseClosure)) == 1
