"""Practitioners working by text (issue 15): a bare number never reaches the wrong item, typed
commands name their item, every action is scoped to the team, and LIST fits SMS."""
from __future__ import annotations

from itertools import combinations

import pytest

from bot.metrics import PRACTITIONER_REFUSED
from bot.sms_segments import measure
from storage.models import Booking, ErasureRequest, Person, Referral, SafeguardingAlert
from tests.practitioners.support import KINDS, alert_from, erasure_from, make, nudge_for, referred, state_of
from tests.support.team import linked_practitioner

CHANNELS = {"sms": "+447700900901", "telegram": "900901"}


@pytest.fixture(params=["sms", "telegram"])
def alys(bot, request):
    """The Cardiff team's lead, on SMS or Telegram; the team is the first, so alerts come to it."""
    return linked_practitioner(bot, "Alys", "Caerdydd", CHANNELS[request.param], channel=request.param,
                               areas=["CF"], lead=True, rank=1)


def done(bot, kind: str, number: int) -> bool:
    """Whether the command for this item did what it says."""
    if kind == "alert":
        return bot.rows(SafeguardingAlert, id=number)[0].status == "acknowledged"
    if kind == "referral":
        return bot.rows(Referral, id=number)[0].status == "accepted"
    if kind == "nudge":
        return [b.status for b in bot.rows(Booking)] == ["attended"]
    return bot.rows(ErasureRequest, id=number)[0].status == "pending"  # ERASE only asks to confirm


@pytest.mark.parametrize("first, second", list(combinations(KINDS, 2)))
def test_a_bare_number_with_two_items_waiting_acts_on_neither(bot, alys, first, second):
    """The issue's collision: "1" meant for an alert erased another person's data. Now it lists."""
    a, a_command = make(bot, first, 1)
    b, b_command = make(bot, second, 2)
    alys.deliver()
    before = state_of(bot)
    alys.send("1").expect_key("practitioner.which", lang="en").expect(a_command, b_command)
    assert state_of(bot) == before
    assert len(bot.rows(Person)) == before_people(bot, before)
    alys.send(a_command)
    assert done(bot, first, a)
    if second != "erasure":
        assert not done(bot, second, b)
    assert "done" not in [r.status for r in bot.rows(ErasureRequest)]


def before_people(bot, before) -> int:
    return len(bot.rows(Person))   # nobody was erased: still every person


@pytest.mark.parametrize("kind", KINDS)
def test_a_bare_number_acts_when_exactly_one_item_waits_except_erasure(bot, alys, kind):
    number, command = make(bot, kind, 1)
    alys.deliver()
    reply = alys.send("1")
    if kind == "erasure":
        reply.expect(f"ERASE {number}")
        assert [r.status for r in bot.rows(ErasureRequest)] == ["pending"] and bot.rows(Person)
    else:
        assert done(bot, kind, number), reply.text


def test_english_commands_with_typos_and_missing_spaces(bot, alys):
    referral = referred(bot, "+447700900601")
    alert = alert_from(bot, "+447700900602")
    alys.deliver()
    alys.send(f"accpet {referral}").expect_key("referral.practitioner_accepted", id=referral)
    alys.send(f"called{referral}").expect_key("referral.practitioner_contacted", lang="en")
    alys.send(f"ack{alert}").expect_key("safeguarding.alert_acknowledged", alert=alert)
    second = referred(bot, "+447700900603")
    alys.send(f"NOTFORUS {second} lives outside our area").expect_key("referral.practitioner_closed", lang="en")
    assert bot.rows(Referral, id=second)[0].outcome_reason == "lives outside our area"
    third = referred(bot, "+447700900604")
    alys.send(f"redirect {third}").expect_key("referral.practitioner_ask_service", lang="en")
    alys.send("Citizens Advice").expect_key("referral.practitioner_closed", lang="en")
    request = erasure_from(bot, "+447700900605")
    alys.send(f"KEEP {request}").expect_key("rights.practitioner.kept", lang="en")
    alys.send("LIST").expect(f"Referral {referral}", "in contact")
    alys.send("frobnicate 3").expect_key("practitioner.commands", lang="en")


def test_welsh_commands_from_a_welsh_speaking_practitioner(bot):
    siân = linked_practitioner(bot, "Siân", "Caerdydd", "+447700900911", areas=["CF"], lead=True, language="cy")
    referral = referred(bot, "+447700900611", language="cy")
    siân.deliver().expect_key("referral.practitioner_new_short", id=referral, who="Sam, yn dewis Cymraeg, SMS").expect(f"DERBYN {referral}")
    alert = alert_from(bot, "+447700900612")
    siân.deliver().expect(f"CYDNABOD {alert}")
    siân.send("1").expect_key("practitioner.which", lang="cy").expect_lang("cy")
    siân.send(f"cydnabod {alert}").expect_key("safeguarding.alert_acknowledged", alert=alert)
    siân.send(f"DERBYN{referral}").expect_key("referral.practitioner_accepted", id=referral)
    siân.send(f"ffoniais {referral}").expect_lang("cy")
    assert bot.rows(Referral, id=referral)[0].status == "contacted"
    nudge_for(bot, referral)
    siân.deliver().expect(f"AETH {referral}", f"NADDO {referral}")
    siân.send(f"aeth {referral}").expect_lang("cy")
    assert [b.status for b in bot.rows(Booking)] == ["attended"]
    request = erasure_from(bot, "+447700900613")
    siân.deliver().expect_key("rights.practitioner.request", request=request)
    siân.send(f"dileu {request}").expect_key("rights.practitioner.confirm_ask", request=request)
    siân.send("ie").expect_key("rights.practitioner.erased", lang="cy")
    assert [r.status for r in bot.rows(ErasureRequest)] == ["done"]
    siân.send("rhestr").expect(f"Atgyfeiriad {referral}")
    siân.send("beth?").expect_key("practitioner.commands", lang="cy")


def test_nudges_go_by_the_referral_number_not_the_booking(bot, alys):
    first = referred(bot, "+447700900661", first_name="Sam")
    second = referred(bot, "+447700900662", first_name="Gwen")
    with bot.app.sessions.begin() as session:
        for number in (first, second):
            session.get(Referral, number).status = "contacted"
    booking = nudge_for(bot, second)                   # booking 1, about referral 2
    assert booking != second
    alys.deliver().expect_key("nudge.question", n=second, name="Gwen", who="Gwen, prefers English, SMS").expect(absent=("ref 0",))
    alys.send(f"WENT {first}").expect_key("nudge.not_found", lang="en")     # Sam's referral has no question waiting
    assert [b.status for b in bot.rows(Booking)] == ["booked"]
    alys.press(f"attendance:{second}:attended").expect_key("nudge.recorded_attended", name="Gwen")   # the button, the same
    assert [b.status for b in bot.rows(Booking)] == ["attended"]


def test_show_gives_the_whole_referral_and_help_the_commands(bot, alys):
    referral = referred(bot, "+447700900671")
    alys.deliver()
    alys.send(f"SHOW {referral}").expect_key("referral.practitioner_new", id=referral).expect("Getting out more", "CF10 1AA")
    alys.send("HELP").expect_key("practitioner.commands", lang="en")


def test_a_referral_in_contact_is_listed_with_close_and_help_names_close(bot, alys):
    referral = referred(bot, "+447700900672")
    alys.deliver()
    alys.send(f"CALLED {referral}")
    catalog = bot.app.catalog
    alys.send("LIST").expect(catalog.text("practitioner.command_close", "en", n=referral))
    for lang in ("cy", "en"):   # the help names every command, closing a case among them
        assert catalog.text("practitioner.command_close", lang, n="n") in catalog.text("practitioner.commands", lang)


def test_erasure_by_buttons_is_two_taps_the_second_naming_the_request(bot, alys):
    request = erasure_from(bot, "+447700900681")
    alys.deliver()
    confirm = alys.press(f"erase:{request}:erase").expect_key("rights.practitioner.confirm_ask", request=request)
    if alys.channel == "sms":
        confirm.expect("YES / NO", absent=("1 Yes",))
    else:
        assert [o["value"] for o in confirm.options] == [f"erase:{request}:confirm", f"erase:{request}:later"]
    assert bot.rows(Person, id=bot.rows(ErasureRequest)[0].person_id)
    alys.press(f"erase:{request}:confirm").expect_key("rights.practitioner.erased", lang="en")
    assert [r.status for r in bot.rows(ErasureRequest)] == ["done"]


def test_a_confirm_button_without_its_question_only_asks(bot, alys):
    request = erasure_from(bot, "+447700900691")
    alys.deliver()
    alys.press(f"erase:{request}:confirm").expect_key("rights.practitioner.confirm_ask", request=request)
    assert [r.status for r in bot.rows(ErasureRequest)] == ["pending"]
    alys.send("ACK 99")                                  # anything else: the question lapses
    alys.send("yes")
    assert [r.status for r in bot.rows(ErasureRequest)] == ["pending"]


def test_refusals_are_logged_without_personal_data(bot, caplog):
    linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    gareth = linked_practitioner(bot, "Gareth", "Gwynedd", "+447700900931", areas=["LL"])
    referral = referred(bot, "+447700900699", first_name="Sioned")
    with caplog.at_level("WARNING"):
        gareth.send(f"ACCEPT {referral}").expect_key("referral.practitioner_unknown", lang="en")
    [record] = [r for r in caplog.records if "refused" in r.getMessage()]
    logged = record.getMessage() + repr(record.__dict__)
    assert "Sioned" not in logged and "+447700900699" not in logged and "Getting out" not in logged
    assert record.action == "referral" and record.practitioner_id


def test_a_practitioners_words_are_never_screened_as_a_persons(bot, alys):
    referral = referred(bot, "+447700900621")
    alys.send(f"NOTFORUS {referral} they said I want to die and to delete my data")
    assert bot.rows(SafeguardingAlert) == [] and bot.rows(ErasureRequest) == []
    assert bot.rows(Referral, id=referral)[0].status == "not_appropriate"


FORGED = [
    ("alert", "alert:{alert}:ack"),
    ("referral", "referral:{referral}:accept"), ("referral", "referral:{referral}:contacted"),
    ("referral", "referral:{referral}:not_appropriate"), ("referral", "referral:{referral}:redirect"),
    ("attendance", "attendance:{referral}:attended"), ("nudge", "nudge:{booking}:attended"),
    ("erase", "erase:{request}:erase"), ("erase", "erase:{request}:confirm"), ("erase", "erase:{request}:keep"),
]


@pytest.mark.parametrize("action, value", FORGED)
def test_forged_buttons_from_another_team_get_not_found_and_are_counted(bot, alys, action, value):
    gwynedd = linked_practitioner(bot, "Gareth", "Gwynedd", "+447700900931", areas=["LL"])
    referral = referred(bot, "+447700900631")
    with bot.app.sessions.begin() as session:
        session.get(Referral, referral).status = "contacted"
    booking = nudge_for(bot, referral)
    alert = alert_from(bot, "+447700900632")
    request = erasure_from(bot, "+447700900633")
    gwynedd.deliver().expect_nothing()        # nothing of Cardiff's reaches Gwynedd
    before, refused = state_of(bot), PRACTITIONER_REFUSED.labels(action)._value.get()
    reply = gwynedd.press(value.format(alert=alert, referral=referral, booking=booking, request=request))
    reply.expect(absent=("Sam", "Gwen", "I want to die", "+447700900"))
    assert set(reply.keys) & {"nudge.not_found", "rights.practitioner.not_found", "referral.practitioner_unknown",
                              "safeguarding.alert_unknown", "close.unknown"}, reply.keys
    assert state_of(bot) == before
    assert PRACTITIONER_REFUSED.labels(action)._value.get() == refused + 1
    # Typed, the same: not found.
    if action == "alert":
        gwynedd.send(f"ACK {alert}").expect_key("safeguarding.alert_unknown", lang="en")
    assert state_of(bot) == before


def test_list_by_sms_shows_every_item_oldest_first_in_parts_that_fit(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"], lead=True)
    numbers = [referred(bot, f"+4477009007{n:02d}", first_name=f"Person{n}") for n in range(12)]
    alys.deliver()
    reply = alys.send("LIST")
    assert len(reply.messages) > 1
    assert all(measure(m.text).segments <= 3 for m in reply.messages), [measure(m.text) for m in reply.messages]
    text = reply.text
    positions = [text.index(f"ACCEPT {n}\n") if f"ACCEPT {n}\n" in text else text.index(f"ACCEPT {n}")
                 for n in numbers]
    assert positions == sorted(positions), "oldest first"


def test_erasure_requests_go_only_to_the_persons_team(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    gareth = linked_practitioner(bot, "Gareth", "Gwynedd", "+447700900931", areas=["LL"])
    referred(bot, "+447700900641", postcode="LL55 1AA")
    alys.deliver(), gareth.deliver()
    person = bot.as_("+447700900641")
    person.send("delete my data")
    person.send("1")
    gareth.deliver().expect_key("rights.practitioner.request", lang="en")
    alys.deliver().expect_nothing()


def test_the_data_protection_team_gets_every_request(settings, clock):
    from bot.bootstrap import build_app
    from tests.support.conversation import ConversationDriver

    settings.privacy.data_protection_team = "Data protection"
    app = build_app(settings, clock=clock)
    try:
        bot = ConversationDriver(app)
        linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
        dpo = linked_practitioner(bot, "Dylan", "Data protection", "+447700900951")
        request = erasure_from(bot, "+447700900651")
        dpo.deliver().expect_key("rights.practitioner.request", request=request)
        dpo.send(f"ERASE {request}").expect_key("rights.practitioner.confirm_ask", lang="en")
    finally:
        app.close()
