"""A risk message at every step of the referral, in Welsh and English: help, an alert, and a way back."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from flows.referral import ORDER, ReferralState
from storage.models import Conversation, SafeguardingAlert
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner

RISK = {"en": "honestly I just want to end it all", "cy": "a dweud y gwir dw i isio marw"}
STEPS = [*ORDER, "change"]


@pytest.mark.parametrize("language,channel", [("en", "sms"), ("cy", "telegram")])
@pytest.mark.parametrize("step", STEPS)
def test_risk_at_every_referral_step(app, bot, step, language, channel):
    person = bot.as_("+447700900123" if channel == "sms" else "100200300", channel)
    lead = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True, rank=1, areas=["CF"])
    deputy = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902", rank=2)
    start_referral(person, language)
    state = ReferralState(step=step, what_matters="Company", themes=("lonely",), postcode="CF10 1AA",
                          postcode_area="CF")
    with app.sessions.begin() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.person().id))
        conversation.state = state.to_json()
        conversation.pending_options = []

    person.send(RISK[language]).expect("116 123", "999").expect_lang(language)
    assert len(person.rows(SafeguardingAlert)) == 1
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect(RISK[language])
    person.advance("15m")  # nobody acknowledged: it goes down the list
    deputy.deliver().expect_key("safeguarding.alert_escalated", lang="en").expect(RISK[language][:20])
    person.send("ok").expect(options=True).expect_lang(language)
    person.press("continue").expect_lang(language)
    conversation = person.conversation()
    assert conversation.flow == "referral" and conversation.state["step"] == step
    assert conversation.state["what_matters"] == "Company", "nothing they said was lost"


def test_after_a_referral_the_assigned_practitioner_gets_the_alert_not_the_lead(bot):
    lead = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True, rank=1, areas=["CF"])
    start_referral(bot)
    bot.send("Company")
    finish_quickly(bot)  # Alys's turn in the round robin
    bryn = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902", rank=2)
    second = bot.as_("+447700900777")
    start_referral(second)
    finish_quickly(second)  # Bryn's turn
    lead.deliver()
    bryn.deliver().expect_key("referral.practitioner_new_short", lang="en")
    second.send("he hits me").expect("116 123")
    bryn.deliver().expect_key("safeguarding.alert", lang="en").expect("he hits me")
    lead.deliver().expect_nothing()
