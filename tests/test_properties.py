"""Random sequences of inputs through every flow: no failure, always an answer, state always valid."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings, strategies as st

from flows.registry import FLOWS
from storage.models import InboundMessage
from tests.support.conversation import ConversationDriver

KEYWORDS = ["STOP", "stopio", "cancel", "END", "unstop", "yes", "START", "dechrau", "HELP", "cymorth", "MENU", "dewislen", "Cymraeg",
            "English", "/cymraeg", "/english", "yes", "no", "ydw", "nac ydw", "skip", "privacy", "1", "2",
            "3", "9", "0", "LINK ABCD-2345"]
messages = st.one_of(
    st.text(max_size=80),
    st.sampled_from(KEYWORDS),
    st.builds(lambda n: str(n), st.integers(-5, 20)),
    st.sampled_from(["³", "٣", "½", "１", "Ⅻ"]),  # digits that are not ASCII digits
    st.tuples(st.just("::press"), st.sampled_from(["cy", "en", "yes", "no", "menu", "language",
                                                    "alert:1:ack", "nonsense", ""])),
    st.tuples(st.just("::advance"), st.sampled_from(["1h", "1d", "3d", "2w"])),
)
addresses = itertools.count(447700900000)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(messages, min_size=1, max_size=12), channel=st.sampled_from(["sms", "telegram"]))
def test_any_sequence_of_messages_is_handled(app, script, channel):
    bot = ConversationDriver(app, channel=channel, address=f"+{next(addresses)}")
    for item in script:
        was_opted_out = bool(bot.person() and bot.person().opted_out)
        if isinstance(item, tuple) and item[0] == "::advance":
            bot.advance(item[1])
            continue
        replies = bot.press(item[1]) if isinstance(item, tuple) else bot.send(item)
        person = bot.person()
        if not (was_opted_out and person.opted_out):  # silence only for someone who stays opted out
            assert replies.messages, f"no answer to {item!r}"
            if person.language:
                # Their own language, or the bilingual offer when they asked to change language.
                languages = {m.language for m in replies.messages}
                assert languages <= {person.language, "cy+en"}, f"{languages} for {item!r}"
        conversation = bot.conversation()
        assert conversation.flow in FLOWS
        FLOWS[conversation.flow].state_type.from_json(conversation.state)
    failed = [row.text for row in bot.rows(InboundMessage, status="failed", address=bot.address)]
    assert not failed, f"turns failed on {failed}"
