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
def test_a_possible_risk_gets_the_gentle_check_and_a_concern_note_not_the_crisis_reply(bot, language):
    lead = lead_of(bot)
    at_what_matters(bot, language)
    reply = bot.send(POSSIBLE[language]).expect_key("safeguarding.check", lang=language, options=True).expect_lang(language)
    assert len(reply.options) == 3 and CRISIS[language] not in reply.text
    note = lead.deliver().expect_key("concern.note", lang="en").expect(POSSIBLE[language][:15])
    assert not note.options, "a concern note has no Acknowledge button"
    alert = the_alert(bot)
    assert (alert.tier, alert.status, alert.category, alert.language) == ("possible", "checking", "suicide", language)
    assert alert.next_escalation_at is not None and not alert.alerted
    assert not bot.rows(DataSetEvent, statement=27), "a concern is not a safeguarding issue raised (27)"
    assert bot.conversation().flow == "safety_check"


@pytest.mark.parametrize("language,answer", [("en", "yes I'm safe"), ("cy", "ydw"), ("en", None)])
def test_a_safe_answer_goes_back_to_the_flow_with_their_words_kept(bot, language, answer):
    lead = lead_of(bot)
    at_what_matters(bot, language)
    bot.send(POSSIBLE[language])
    replies = bot.send(answer) if answer else bot.press("safe")
    replies.expect_lang(language).expect(options=True)  # thanks, then the referral's next question
    conversation = bot.conversation()
    assert conversation.flow == "referral" and conversation.state["step"] == "themes"
    assert conversation.state["what_matters"] == POSSIBLE[language], "what they said is their answer"
    assert not conversation.paused
    alert = the_alert(bot)
    assert (alert.tier, alert.status, alert.next_escalation_at) == ("possible", "safe", None)
    lead.deliver()
    bot.advance("2h")
    lead.deliver().expect_nothing()  # answered: nothing more to say


@pytest.mark.parametrize("answer", ["no", "I'm not safe", "talk to someone", "not_safe", "talk"])
def test_not_safe_or_talk_to_someone_moves_to_the_crisis_reply_and_an_urgent_alert(bot, answer):
    lead = lead_of(bot)
    at_what_matters(bot)
    bot.send(POSSIBLE["en"])
    lead.deliver().expect_key("concern.note", lang="en")
    replies = bot.press(answer) if answer in ("not_safe", "talk") else bot.send(answer)
    replies.expect("116 123", "999")
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(POSSIBLE["en"][:15], "clear disclosure")
    alert = the_alert(bot)  # the same row: the concern became the alert
    assert (alert.tier, alert.status) == ("clear", "open")
    kinds = [e.kind for e in bot.rows(AlertEvent)]
    assert kinds == ["raised", "concern_sent", "upgraded", "sent"]
    [event] = bot.rows(DataSetEvent, statement=27)
    assert event.value == {"level": "urgent", "tier": "clear", "category": "suicide"}
    # The referral waits, and comes back where it was when they are ready.
    assert bot.conversation().flow == "safety"
    bot.send("ok")
    bot.press("continue").expect(options=True)
    assert bot.conversation().flow == "referral"
    assert bot.conversation().state["step"] == "what_matters"


def test_a_second_signal_before_answering_moves_to_the_clear_tier(bot):
    lead = lead_of(bot)
    at_what_matters(bot)
    bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en")
    bot.send(POSSIBLE_AGAIN["en"]).expect("116 123")
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(POSSIBLE["en"][:15], POSSIBLE_AGAIN["en"][:15])
    alert = the_alert(bot)
    assert (alert.tier, alert.status) == ("clear", "open")
    assert bot.conversation().flow == "safety"


def test_a_second_signal_within_the_window_after_a_safe_answer_is_clear_and_after_it_is_possible(bot):
    lead_of(bot)
    bot.speaking("en")
    bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en")
    bot.press("safe")
    bot.advance("3d")
    bot.send(POSSIBLE_AGAIN["en"]).expect("116 123")  # a second signal within 7 days
    bot.as_("+447700900901").press("alert:1:ack")
    bot.send("ok")
    bot.press("menu")
    bot.advance("8d")
    bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en").expect(absent=("116 123",))  # the window has passed


def test_a_clear_disclosure_during_the_check_gets_the_crisis_reply(bot):
    lead = lead_of(bot)
    bot.speaking("cy")
    bot.send(POSSIBLE["cy"]).expect_key("safeguarding.check", lang="cy")
    bot.send(CLEAR["cy"]).expect("0808 164 0123").expect_lang("cy")
    lead.deliver().expect_key("safeguarding.alert", lang="en")
    assert the_alert(bot).tier == "clear"


def test_no_answer_alone_tells_the_practitioner_and_asks_nothing_more(bot):
    lead = lead_of(bot)
    at_what_matters(bot)
    bot.send(POSSIBLE["en"])
    lead.deliver().expect_key("concern.note", lang="en")
    bot.advance("59m")
    lead.deliver().expect_nothing()
    bot.advance("1m").expect_nothing()  # the person is not sent the crisis reply
    lead.deliver().expect_key("concern.unanswered", lang="en").expect(absent=("Acknowledge",))
    assert (the_alert(bot).tier, the_alert(bot).status) == ("possible", "unanswered")
    # When they do answer, it still counts.
    bot.press("safe")
    assert bot.conversation().state["step"] == "themes"


def test_no_answer_with_another_signal_moves_to_the_clear_tier(bot):
    lead = lead_of(bot)
    bot.speaking("en")
    bot.send(POSSIBLE["en"])
    bot.press("safe")
    bot.advance("10d")  # outside the window: a new gentle check, with history behind it
    bot.send(POSSIBLE_AGAIN["en"]).expect_key("safeguarding.check", lang="en")
    lead.deliver()
    bot.advance("1h").expect("116 123")  # no answer + an earlier concern: the crisis reply
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(POSSIBLE_AGAIN["en"][:15])
    latest = bot.rows(SafeguardingAlert)[-1]
    assert (latest.tier, latest.status) == ("clear", "open")
    assert bot.conversation().flow == "safety"


def test_answers_that_are_not_answers_are_asked_once_more_then_let_be(bot):
    lead = lead_of(bot)
    at_what_matters(bot)
    bot.send(POSSIBLE["en"])
    bot.send("what do you mean").expect_key("safeguarding.check_again", lang="en", options=True)
    bot.send("hmm").expect_key("safeguarding.check_later", lang="en").expect("999")
    conversation = bot.conversation()
    assert conversation.flow == "referral" and conversation.state["what_matters"] == POSSIBLE["en"]
    assert the_alert(bot).status == "unanswered"
    lead.deliver().expect_key("concern.unanswered", lang="en")


def test_nothing_risky_carries_on_in_the_flow(bot):
    lead = lead_of(bot)
    at_what_matters(bot)
    bot.send(NOTHING["en"]).expect(options=True, absent=(CHECK["en"], "116 123"))
    assert bot.conversation().state["step"] == "themes"
    assert not bot.rows(SafeguardingAlert)
    lead.deliver().expect_nothing()


def test_a_first_message_that_may_be_a_risk_is_checked_then_the_language_offer_keeps_it(bot):
    lead_of(bot)
    bot.send(POSSIBLE["en"]).expect_key("safeguarding.check", lang="en").expect(absent=("Cymraeg",))
    bot.send("yes").expect_key(choices=('cy', 'en'))
    bot.send("2")
    person = bot.person()
    assert person.language == "en"


def test_someone_who_texted_stop_gets_the_contacts_not_a_check_they_could_not_answer(bot):
    lead = lead_of(bot)
    bot.speaking("en")
    bot.send("STOP")
    bot.send(POSSIBLE["en"]).expect("116 123", absent=(CHECK["en"],))
    lead.deliver().expect_key("safeguarding.alert", lang="en")
    assert bot.person().opted_out
