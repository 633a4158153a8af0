"""Who is being reached: protected characteristics asked once, optional, in both languages; under-16s."""
from __future__ import annotations

from flows.referral import ReferralState, dataset_events
from storage.models import DataSetEvent, Referral
from tests.support.referral import finish_quickly, start_referral


def _to_intro(bot, language="en", dob="3/3/1980"):
    start_referral(bot, language)
    for _ in range(25):
        step = bot.conversation().state["step"]
        if step == "pc_intro":
            return
        if step == "dob":
            bot.send(dob)
        elif step == "postcode":
            bot.send("CF10 1AA")
        else:
            bot.press("skip")
    raise AssertionError("never reached the protected characteristics")


def _demographics(bot):
    return [e.value for e in bot.rows(DataSetEvent) if e.statement == 36]


def test_answered_with_messy_words_in_english(bot):
    _to_intro(bot)
    bot.send("ok sure").expect_key("pc.q.sex", number=1, total=5, choices=('female', 'male', 'prefer_not_to_say', 'skip'))
    bot.send("Woman").expect_key("pc.q.gender", number=2, total=5)
    bot.send("yes").expect_key("pc.q.ethnic", number=3, total=5)
    bot.send("I'm Welsh").expect_key("pc.q.disability", number=4, total=5)
    bot.send("purple!!").expect_key("pc.pick_one", lang="en").expect_key("pc.q.disability", number=4, total=5)
    bot.send("a little").expect_key("pc.q.welsh", number=5, total=5)
    bot.send("1 and 3").expect_key("referral.summary", lang="en")
    bot.press("confirm")
    assert _demographics(bot) == [{"age_band": "45-54", "postcode_area": "CF", "sex": "female", "gender_same": "yes",
                                  "ethnic_group": "white", "disability": "limited_a_little",
                                  "welsh": ["understand", "read"]}]


def test_prefer_not_and_skips_in_welsh(bot):
    _to_intro(bot, "cy")
    bot.send("iawn").expect_key("pc.q.sex", number=1, total=5, choices=('female', 'male', 'prefer_not_to_say', 'skip'))
    bot.send("gwell gen i beidio").expect_key("pc.q.gender", number=2, total=5)
    bot.send("hepgor").expect_key("pc.q.ethnic", number=3, total=5)
    bot.send("Cymraes").expect_key("pc.q.disability", number=4, total=5).expect(absent=("siarad Cymraeg",))   # a Welsh woman, not a language switch
    bot.press("prefer_not_to_say").expect_key("pc.q.welsh", number=5, total=5)
    bot.send("siarad cymraeg a darllen").expect_key("referral.summary", lang="cy")
    bot.press("confirm")
    assert _demographics(bot) == [{"age_band": "45-54", "postcode_area": "CF", "sex": "prefer_not_to_say",
                                  "ethnic_group": "white", "disability": "prefer_not_to_say",
                                  "welsh": ["speak", "read"]}]


def test_the_block_can_be_skipped_whole_and_is_asked_once(bot):
    _to_intro(bot)
    bot.send("skip them all")
    assert bot.conversation().state["step"] == "summary"
    bot.press("confirm")
    assert _demographics(bot) == [{"age_band": "45-54", "postcode_area": "CF"}]
    # A later referral does not ask again.
    with bot.app.sessions.begin() as session:
        for referral in session.query(Referral):
            referral.status = "not_appropriate"
    bot.send("MENU")
    bot.press("referral")
    finish_quickly(bot)
    steps_seen = [m for m in bot.rows(DataSetEvent) if m.statement == 36]
    assert len(steps_seen) == 2


def test_under_16_gets_a_kind_reply_with_meic_and_nothing_is_kept(bot):
    start_referral(bot)
    bot.send("I feel lonely at school")
    for _ in range(10):
        if bot.conversation().state.get("step") == "dob":
            break
        bot.press("skip")
    bot.send("14/02/2013").expect_key("under16.reply", lang="en").expect("080880 23456", "84001")   # the numbers matter
    assert bot.rows(Referral) == [] and _demographics(bot) == []
    assert bot.conversation().flow == "menu"


def test_under_16_in_welsh(bot):
    start_referral(bot, "cy")
    bot.send("Dw i'n unig")
    for _ in range(10):
        if bot.conversation().state.get("step") == "dob":
            break
        bot.press("skip")
    bot.send("1/1/2015").expect_key("under16.reply", lang="cy").expect("meic.cymru")
    assert bot.rows(Referral) == []


def test_statement_36_always_has_a_valid_age_band():
    for band in ("", "0-15", "16-24", "75+"):
        events = {e.statement: e.value for e in dataset_events(ReferralState(age_band=band), "self")}
        assert events[36]["age_band"] in {"16-24", "75+", "prefer_not_to_say"}
        assert events[36] != {}
