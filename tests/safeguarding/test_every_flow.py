"""A risk message in any step of any registered flow gets the crisis reply and an alert; the flow waits.

Flows other features add to flows.registry.FLOWS are picked up here automatically.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.dispatcher import FIRST_FLOW
from flows.base import Begin
from flows.registry import FLOWS
from storage.models import Conversation, SafeguardingAlert
from tests.support.team import linked_practitioner

RISK = {"en": "I don't want to be here anymore, I want to kill myself",
        "cy": "Dw i ddim isio byw rhagor, dw i eisiau lladd fy hun"}
CRISIS = {"en": ("Thank you for telling me", "116 123", "NHS 111, press 2"),
          "cy": ("Diolch am ddweud wrtha i", "116 123", "GIG 111, pwyswch 2")}
OK = {"en": "I'm OK now thanks", "cy": "Dw i'n iawn nawr diolch"}
# Flows with nothing to come back to: the check-in leads to the menu instead.
NOT_RESUMED = {"menu", "safety", "safety_check", "practitioner", FIRST_FLOW}


def put_in_flow(app, bot, name):
    """Start `name` for this person as the dispatcher would, and store where it leaves them."""
    flow = FLOWS[name]
    person = bot.person()
    with app.sessions.begin() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.id))
        # The dispatcher's own context, so whatever it gives flows (menu, resources...) is there.
        turn = SimpleNamespace(now=app.clock.now(), person=person, message=SimpleNamespace(channel=bot.channel, address=bot.address),
                               facts={"id": person.id, "consented": True, "is_practitioner": False})
        transition = flow.begin(Begin({}), app.dispatcher.context(turn))
        state = transition.state if transition.state is not None else flow.state_type(step="start")
        conversation.flow = name
        conversation.state = state.to_json()
        conversation.pending_options = []
    return state


@pytest.mark.parametrize("language,channel", [("en", "sms"), ("cy", "telegram")])
@pytest.mark.parametrize("name", sorted(FLOWS))
def test_risk_in_every_flow_gets_help_and_an_alert_that_escalates(app, bot, name, language, channel):
    person_bot = bot.as_("+447700900123" if channel == "sms" else "100200300", channel)
    lead = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True, rank=1)
    deputy = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902", rank=2)
    person_bot.speaking(language)
    put_in_flow(app, person_bot, name)

    person_bot.send(RISK[language]).expect(*CRISIS[language]).expect_lang(language)
    [alert] = person_bot.rows(SafeguardingAlert)
    assert alert.status == "open"
    lead.deliver().expect("SAFEGUARDING ALERT", RISK[language][:20])
    person_bot.advance("15m")  # nobody acknowledged: it goes down the list
    deputy.deliver().expect("ESCALATED", RISK[language][:20])

    # Later, gently: carry on where they were, or the menu.
    after = person_bot.send(OK[language]).expect_lang(language)
    if name in NOT_RESUMED:
        assert person_bot.conversation().flow in ("menu", name)
        return
    after.expect(options=True)
    person_bot.press("continue").expect_lang(language)
    assert person_bot.conversation().flow == name
    assert person_bot.conversation().paused == []
