"""Random sequences of inputs through every flow: no failure, always an answer, state always valid.

Inputs: any Unicode, keywords in both languages, numbers, the options on offer (pressed as
buttons or typed), forged callback data, risk disclosures, and `::advance` moves of the clock.
Each flow in flows/registry.py is entered the way a person (or a practitioner) gets there,
then driven at random. After every turn: nothing failed, there was an answer in the person's
language (silence only for someone who said STOP and stays opted out), and the stored state
is one its flow can read, and survives a round trip through JSON unchanged.

How many examples: the `cyswllt-ci` profile (bounded: about a minute, the default) or `cyswllt-deep`
(`CYSWLLT_PROPERTY_PROFILE=cyswllt-deep`, for a long hunt before a release).
"""
from __future__ import annotations

import itertools
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from flows.registry import FLOWS
from storage.models import InboundMessage, Practitioner, Referral
from tests.safeguarding.tier_messages import POSSIBLE_REAL_NLU
from tests.support.conversation import ConversationDriver
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner

settings.register_profile("cyswllt-ci", max_examples=6, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("cyswllt-deep", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("CYSWLLT_PROPERTY_PROFILE", "cyswllt-ci"))

KEYWORDS = [
    "STOP", "stopio", "cancel", "END", "unstop", "START", "dechrau", "HELP", "cymorth", "MENU", "dewislen",
    "Cymraeg", "English", "/cymraeg", "/english", "saesneg", "CHECKIN", "lles", "/start", "/help",
    "yes", "no", "ydw", "nac ydw", "ie", "na", "skip", "hepgor", "LATER", "wedyn", "prefer not to say",
    "gwell gen i beidio", "MORE", "mwy", "LIST", "rhestr", "privacy", "delete my data", "dileu fy nata",
    "1", "2", "3", "9", "0", "LINK ABCD-2345", "walking group in Wrexham", "oes côr ger Llandudno?",
    "CF10 1AA", "LL57 2DG", "07700 900123", "485 777 3456", "12/03/1980", "about 6", "tua chwech", "7/10",
    "I'd like to refer myself", "hoffwn i gyfeirio fy hun", "dw i'n teimlo'n unig", "I feel lonely",
]
RISK = ["I want to kill myself", "dw i isio marw", "I'm going to end it all tonight", "he hits me"]
ODD_DIGITS = ["³", "٣", "½", "１", "Ⅻ"]
CALLBACKS = ["cy", "en", "yes", "no", "menu", "language", "alert:1:ack", "nonsense", "", "referral",
             "asset_search", "checkin", "withdraw", "more", "skip", "later"]

messages = st.one_of(
    st.text(max_size=80),
    st.sampled_from(KEYWORDS),
    st.builds(str, st.integers(-5, 20)),
    st.sampled_from(ODD_DIGITS),
    st.tuples(st.just("::pick"), st.integers(0, 7)),          # one of the options on offer
    st.tuples(st.just("::press"), st.sampled_from(CALLBACKS) | st.text(max_size=64)),   # forged callback data
    st.tuples(st.just("::risk"), st.sampled_from(RISK)),
    st.tuples(st.just("::advance"), st.sampled_from(["1h", "1d", "3d", "2w", "7w"])),
)
scripts = st.lists(messages, min_size=1, max_size=10)
addresses = itertools.count(447700910000)
practitioner_chats = itertools.count(910000)


def _press_or_type_option(bot: ConversationDriver, index: int):
    """What a person does with the options shown: press the button (Telegram) or type it (SMS)."""
    offered = (bot.conversation().pending_options or []) if bot.conversation() else []
    if not offered:
        return bot.send(str(index + 1))
    option = offered[index % len(offered)]
    if bot.channel == "telegram":
        return bot.press(option["value"])
    person = bot.person()
    labels = option.get("labels") or {}
    # Alternate between typing the number and typing the label in their language.
    if index % 2 and labels:
        return bot.send(labels.get(person.language or "cy") or next(iter(labels.values())))
    return bot.send(str(offered.index(option) + 1))


def _is_practitioner(bot: ConversationDriver) -> bool:
    person = bot.person()
    return bool(person and bot.rows(Practitioner, person_id=person.id))


def drive(bot: ConversationDriver, script: list) -> None:
    """Send the script and check every turn."""
    for item in script:
        person = bot.person()
        was_opted_out = bool(person and person.opted_out)
        if isinstance(item, tuple) and item[0] == "::advance":
            bot.advance(item[1])
            check_state(bot)
            continue
        if isinstance(item, tuple) and item[0] == "::pick":
            replies = _press_or_type_option(bot, item[1])
        elif isinstance(item, tuple) and item[0] == "::press":
            replies = bot.press(item[1])
        elif isinstance(item, tuple):   # ::risk
            replies = bot.send(item[1])
        else:
            replies = bot.send(item)
        person = bot.person()
        failed = [row.text for row in bot.rows(InboundMessage, status="failed", address=bot.address)]
        assert not failed, f"the turn failed on {item!r}"
        # Silence only for someone who said STOP and stays opted out; a disclosure is answered even
        # then, except a practitioner's words, which are never screened as a person's (issue 15).
        risk = isinstance(item, tuple) and item[0] == "::risk" and not _is_practitioner(bot)
        if not (was_opted_out and person.opted_out) or risk:
            assert replies.messages, f"no answer to {item!r}"
        if person.language:
            # Their own language, or both when they are being offered the choice again.
            languages = {m.language for m in replies.messages}
            assert languages <= {person.language, "cy+en"}, f"{languages} for {item!r}"
        check_state(bot)


def check_state(bot: ConversationDriver) -> None:
    """The stored state is one its flow reads, and a round trip through JSON changes nothing."""
    conversation = bot.conversation()
    if conversation is None:   # nobody has written from this address yet
        return
    assert conversation.flow in FLOWS
    state_type = FLOWS[conversation.flow].state_type
    state = state_type.from_json(conversation.state or {})
    assert state_type.from_json(json.loads(json.dumps(state.to_json()))) == state
    for paused in conversation.paused or []:    # flows set aside by a safeguarding disclosure
        if isinstance(paused, dict) and paused.get("flow") in FLOWS:
            FLOWS[paused["flow"]].state_type.from_json(paused.get("state") or {})


# ---------------------------------------------------------------- entering each flow

def _person(app, channel: str, language: str) -> ConversationDriver:
    address = f"+{next(addresses)}" if channel == "sms" else str(next(addresses))
    return ConversationDriver(app, channel=channel, address=address).speaking(language)


def _from_menu(name: str):
    def enter(app, channel, language):
        bot = _person(app, channel, language)
        bot.send("MENU")
        bot.press(name)
        if bot.conversation().flow == "consent":
            _press_or_type_option(bot, 0)   # "Yes, I agree": consent comes first for these
        return bot
    return enter


def _withdraw(app, channel, language):
    bot = _from_menu("referral")(app, channel, language)   # consent given, so there is some to withdraw
    bot.send("MENU")
    bot.press("withdraw_consent")
    return bot


def _by_words(*words: str):
    def enter(app, channel, language):
        bot = _person(app, channel, language)
        for word in words:
            bot.send(word)
        return bot
    return enter


def _end_of_support(app, channel, language):
    """A person whose practitioner closed their case, starting their end-of-support conversation."""
    bot = _person(app, channel, language)
    practitioner = linked_practitioner(bot, "Sam Jones", "Gwynedd", str(next(practitioner_chats)),
                                       channel="telegram", language=language)
    start_referral(bot, language)
    finish_quickly(bot)
    practitioner.deliver()
    referral_id = max(r.id for r in bot.rows(Referral))   # this person's: the newest
    practitioner.send(f"CLOSE {referral_id}")
    practitioner.send("2")      # goals partly met
    practitioner.send("1")      # an action plan was made
    practitioner.send("0")      # no onward referrals
    bot.deliver()
    bot.send("CHECKIN" if language == "en" else "LLES")
    return bot


def _first_contact(app, channel, language):
    address = f"+{next(addresses)}" if channel == "sms" else str(next(addresses))
    bot = ConversationDriver(app, channel=channel, address=address)
    bot.send("Helo")
    return bot


def _practitioner(app, channel, language):
    client = _person(app, "sms", language)
    practitioner = linked_practitioner(client, "Sam Jones", "Gwynedd", str(next(practitioner_chats)),
                                       channel="telegram", lead=True, language=language)
    client.send("I want to kill myself")   # so there is an alert to acknowledge
    practitioner.deliver()
    return practitioner


ENTRIES = {
    "language": _first_contact,
    "menu": _by_words("MENU"),
    "consent": _by_words("CHECKIN"),
    "practitioner": _practitioner,
    "safety": _by_words("dw i isio marw"),
    "safety_check": _by_words(POSSIBLE_REAL_NLU),
    "referral": _from_menu("referral"),
    "withdraw_consent": _withdraw,
    "asset_search": _from_menu("asset_search"),
    "checkin": _from_menu("checkin"),
    "rights": _by_words("delete my data"),
    "end_of_support": _end_of_support,
}


def test_every_flow_has_a_way_in():
    assert set(ENTRIES) == set(FLOWS)


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_the_way_in_reaches_the_flow(app, flow):
    bot = ENTRIES[flow](app, "telegram", "cy")
    assert bot.conversation().flow == flow


@PROFILE
@given(script=scripts, channel=st.sampled_from(["sms", "telegram"]), language=st.sampled_from(["cy", "en"]))
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_any_sequence_of_inputs_in_every_flow(app, flow, script, channel, language):
    bot = ENTRIES[flow](app, channel, language)
    check_state(bot)
    drive(bot, script)


@settings(PROFILE, max_examples=PROFILE.max_examples * 5)
@given(script=st.lists(messages, min_size=1, max_size=12), channel=st.sampled_from(["sms", "telegram"]))
def test_any_sequence_of_messages_from_first_contact(app, script, channel):
    address = f"+{next(addresses)}" if channel == "sms" else str(next(addresses))
    drive(ConversationDriver(app, channel=channel, address=address), script)
