"""The referral flow as a pure function: any sequence of answers gives a valid state and an answer."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings, strategies as st

from flows.base import Choice, FlowContext, Text
from flows.referral import FLOW, ORDER, ReferralState, ShowSummary

CTX = {channel: FlowContext(now=datetime(2026, 3, 2, 10, tzinfo=timezone.utc), language="en", channel=channel,
                            person={"consented": True}) for channel in ("sms", "telegram")}
VALUES = ["skip", "done", "yes", "no", "none", "confirm", "change", "lonely", "money", "physical", "transport",
          "phone", "text", "chat", "morning", "any", "gp", "self", "what_matters", "contact", "postcode", "x"]
TEXTS = ["skip", "hepgor", "done", "dyna ni", "yes", "ydw", "nac ydw", "1 3", "CF10 1AA", "9434765919",
         "01/02/1970", "31/02/1970", "07700 900123", "privacy", "Siân", "🙂", "", "x" * 3000, "\x00"]
events = st.one_of(st.sampled_from(VALUES).map(Choice), st.sampled_from(TEXTS).map(Text),
                   st.text(max_size=40).map(Text))


@settings(max_examples=200, deadline=None)
@given(start=st.sampled_from([*ORDER, "change"]), script=st.lists(events, max_size=25),
       channel=st.sampled_from(["sms", "telegram"]))
def test_any_answers_at_any_step(start, script, channel):
    state = ReferralState(step=start)
    for event in script:
        transition = FLOW.step(state, event, CTX[channel])
        assert transition.replies or any(isinstance(e, ShowSummary) for e in transition.effects) \
            or transition.state is None
        if transition.state is None:
            return
        state = ReferralState.from_json(transition.state.to_json())  # survives storage
        assert state.step in (*ORDER, "change")
