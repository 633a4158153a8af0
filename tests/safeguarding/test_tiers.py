"""The tiers, end to end: (a) clear -> crisis reply and urgent alert; (b) possible -> the gentle
check and a concern note, moving to (a) on "not safe", "talk to someone", a second signal, or no
answer with another signal; (c) nothing -> carry on. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from storage.models import AlertEvent, DataSetEvent, SafeguardingAlert
from tests.safeguarding.tier_messages import CLEAR, NOTHING, POSSIBLE, POSSIBLE_AGAIN
from tests.support.referral import start_referral
from tests.support.team import linked_practitioner

CHECK = {"en": "are you safe right now?", "cy": "ydych chi'n ddiogel nawr?"}
CRISIS = {"en": "116 123", "cy": "0808 164 0123"}


def lead_of(bot):
    return linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True, rank=1, areas=["CF"])


def at_what_matters(bot, language="en"):
    start_referral(bot, language)
    assert bot.conversation().state["step"] == "what_matters"


def the_alert(bot) -> SafeguardingAlert:
    [alert] = bot.rows(SafeguardingAlert)
    return alert


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_possible_risk_gets_the_gentle_check_and_a_concern_note_not_the_crisis_reply(tier_bot, language):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot, language)
    reply = tier_bot.send(POSSIBLE[language]).expect_key("safeguarding.check", lang=language, options=True).expect_lang(language)
    assert len(reply.options) == 3 and CRISIS[language] not in reply.text
    note = lead.deliver().expect_key("concern.note", lang="en").expect(POSSIBLE[language][:15])
    assert not note.options, "a concern note has no Acknowledge button"
    alert = the_alert(tier_bot)
    assert (alert.tier, alert.status, alert.category, alert.language) == ("possible", "checking", "suicide", language)
    assert alert.next_escalation_at is not None and not alert.alerted
    assert not tier_bot.rows(DataSetEvent, statement=27), "a concern is not a safeguarding issue raised (27)"
    assert tier_bot.conversation().flow == "safety_check"


@pytest.mark.parametrize("language,answer", [("en", "yes I'm safe"), ("cy", "ydw"), ("en", None)])
def test_a_safe_answer_goes_back_to_the_flow_with_their_words_kept(tier_bot, language, answer):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot, language)
    tier_bot.send(POSSIBLE[language])
    replies = tier_bot.send(answer) if answer else tier_bot.press("safe")
    replies.expect_lang(language).expect(options=True)  # thanks, then the referral's next question
    conversation = tier_bot.conversation()
    assert conversation.flow == "referral" and conversation.state["step"] == "themes"
    assert conversation.state["what_matters"] == POSSIBLE[language], "what they said is their answer"
    assert not conversation.paused
    alert = the_alert(tier_bot)
    assert (alert.tier, alert.status, alert.next_escalation_at) == ("possible", "safe", None)
    lead.deliver()
    tier_bot.advance("2h")
    lead.deliver().expect_nothing()  # answered: nothing more to say


@pytest.mark.parametrize("answer", ["no", "I'm not safe", "talk to someone", "not_safe", "talk"])
def test_not_safe_or_talk_to_someone_moves_to_the_crisis_reply_and_an_urgent_alert(tier_bot, answer):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot)
    tier_bot.send(POSSIBLE["en"])
    lead.deliver().expect_key("concern.note", lang="en")
    replies = tier_bot.press(answer) if answer in ("not_safe", "talk") else tier_bot.send(answer)
    replies.expect("116 123", "999")
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(POSSIBLE["en"][:15], "clear disclosure")
    alert = the_alert(tier_bot)  # the same row: the concern became the alert
    assert (alert.tier, alert.status) == ("clear", "open")
    kinds = [e.kind for e in tier_bot.rows(AlertEvent)]
    assert kinds == ["raised", "concern_sent", "upgraded", "sent"]
    [event] = tier_bot.rows(DataSetEvent, statement=27)
    assert event.value == {"level": "urgent", "tier": "clear", "category": "suicide"}
    # The referral waits, and comes back where it was when they are ready.
    assert tier_bot.conversation().flow == "safety"
    tier_bot.send("ok")
    tier_bot.press("continue").expect(options=True)
    assert tier_bot.conversation().flow == "referral"
    assert tier_bot.conversation().state["step"] == "what_matters"


def test_a_second_signal_before_answering_moves_to_the_clear_tier(tier_bot):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot)
    tier_bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en")
    tier_bot.send(POSSIBLE_AGAIN["en"]).expect("116 123")
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(POSSIBLE["en"][:15], POSSIBLE_AGAIN["en"][:15])
    alert = the_alert(tier_bot)
    assert (alert.tier, alert.status) == ("clear", "open")
    assert tier_bot.conversation().flow == "safety"


def test_a_second_signal_within_the_window_after_a_safe_answer_is_clear_and_after_it_is_possible(tier_bot):
    lead_of(tier_bot)
    tier_bot.speaking("en")
    tier_bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en")
    tier_bot.press("safe")
    tier_bot.advance("3d")
    tier_bot.send(POSSIBLE_AGAIN["en"]).expect("116 123")  # a second signal within 7 days
    tier_bot.as_("+447700900901").press("alert:1:ack")
    tier_bot.send("ok")
    tier_bot.press("menu")
    tier_bot.advance("8d")
    tier_bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en").expect(absent=("116 123",))  # the window has passed


def test_a_clear_disclosure_during_the_check_gets_the_crisis_reply(tier_bot):
    lead = lead_of(tier_bot)
    tier_bot.speaking("cy")
    tier_bot.send(POSSIBLE["cy"]).expect_key("safeguarding.check", lang="cy")
    tier_bot.send(CLEAR["cy"]).expect("0808 164 0123").expect_lang("cy")
    lead.deliver().expect_key("safeguarding.alert", lang="en")
    assert the_alert(tier_bot).tier == "clear"


def test_no_answer_alone_tells_the_practitioner_and_asks_nothing_more(tier_bot):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot)
    tier_bot.send(POSSIBLE["en"])
    lead.deliver().expect_key("concern.note", lang="en")
    tier_bot.advance("59m")
    lead.deliver().expect_nothing()
    tier_bot.advance("1m").expect_nothing()  # the person is not sent the crisis reply
    lead.deliver().expect_key("concern.unanswered", lang="en").expect(absent=("Acknowledge",))
    assert (the_alert(tier_bot).tier, the_alert(tier_bot).status) == ("possible", "unanswered")
    # When they do answer, it still counts.
    tier_bot.press("safe")
    assert tier_bot.conversation().state["step"] == "themes"


def test_no_answer_with_another_signal_moves_to_the_clear_tier(tier_bot):
    lead = lead_of(tier_bot)
    tier_bot.speaking("en")
    tier_bot.send(POSSIBLE["en"])
    tier_bot.press("safe")
    tier_bot.advance("10d")  # outside the window: a new gentle check, with history behind it
    tier_bot.send(POSSIBLE_AGAIN["en"]).expect_key("safeguarding.check", lang="en")
    lead.deliver()
    tier_bot.advance("1h").expect("116 123")  # no answer + an earlier concern: the crisis reply
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(POSSIBLE_AGAIN["en"][:15])
    latest = tier_bot.rows(SafeguardingAlert)[-1]
    assert (latest.tier, latest.status) == ("clear", "open")
    assert tier_bot.conversation().flow == "safety"


def test_answers_that_are_not_answers_are_asked_once_more_then_let_be(tier_bot):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot)
    tier_bot.send(POSSIBLE["en"])
    tier_bot.send("what do you mean").expect_key("safeguarding.check_again", lang="en", options=True)
    tier_bot.send("hmm").expect_key("safeguarding.check_later", lang="en").expect("999")
    conversation = tier_bot.conversation()
    assert conversation.flow == "referral" and conversation.state["what_matters"] == POSSIBLE["en"]
    assert the_alert(tier_bot).status == "unanswered"
    lead.deliver().expect_key("concern.unanswered", lang="en")


def test_nothing_risky_carries_on_in_the_flow(tier_bot):
    lead = lead_of(tier_bot)
    at_what_matters(tier_bot)
    tier_bot.send(NOTHING["en"]).expect(options=True, absent=(CHECK["en"], "116 123"))
    assert tier_bot.conversation().state["step"] == "themes"
    assert not tier_bot.rows(SafeguardingAlert)
    lead.deliver().expect_nothing()


def test_a_first_message_that_may_be_a_risk_is_checked_then_the_language_offer_keeps_it(tier_bot):
    lead_of(tier_bot)
    tier_bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en").expect(absent=("Cymraeg",))
    tier_bot.send("yes").expect_key(choices=('cy', 'en'))
    tier_bot.send("2")
    person = tier_bot.person()
    assert person.language == "en"


def test_someone_who_texted_stop_gets_the_contacts_not_a_check_they_could_not_answer(tier_bot):
    lead = lead_of(tier_bot)
    tier_bot.speaking("en")
    tier_bot.send("STOP")
    tier_bot.send(POSSIBLE["en"]).expect("116 123", absent=(CHECK["en"],))
    lead.deliver().expect_key("safeguarding.alert", lang="en")
    assert tier_bot.person().opted_out
