"""Self-referral, scripted as conversations, in both languages and on both channels."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.bootstrap import build_app
from storage.models import Consent, DataSetEvent, OutboundMessage, Referral
from tests.support.conversation import ConversationDriver
from tests.support.referral import finish_quickly, start_referral
from tests.support.team import linked_practitioner


def statements(bot, person=None):
    person = person or bot.person()
    return {e.statement: e.value for e in bot.rows(DataSetEvent, person_id=person.id)}


def test_a_whole_referral_in_english_by_sms_with_skips_corrections_and_bad_answers(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    bot.speaking("en")
    bot.send("MENU").expect("Refer myself")
    bot.send("1").expect("Social prescribing connects you", "PRIVACY", "Do you agree?", before="Do you agree?")
    bot.send("privacy").expect("privacy")
    bot.send("yes").expect("What matters to you right now?")
    bot.send("Getting out of the house more, I've been on my own since my wife died").expect("Which of these")
    bot.send("1 and 9").expect("Got: Feeling less alone, Being outdoors.", "main reason")
    bot.send("seventeen").expect("didn't catch that", "main reason")
    bot.send("social and mental").expect("hard to take part")
    bot.send("the bus and cost").expect("unpaid carer")
    bot.send("maybe").expect("yes or no")
    bot.send("no").expect("carer helping")
    bot.send("skip").expect("first name")
    bot.send("my name is not important 123").expect("first name is fine")
    bot.send("Dai").expect("date of birth")
    bot.send("31/02/1960").expect("doesn't exist")
    bot.send("01/01/2030").expect("future")
    bot.send("a while ago").expect("couldn't read that")
    bot.send("1/2/1960").expect("postcode")
    bot.send("CF99").expect("doesn't look like a UK postcode")
    bot.send("cf10 1aa").expect("NHS number")
    bot.send("94347659").expect("exactly 10 digits")
    bot.send("943 476 5918").expect("doesn't add up")
    bot.send("943 476 5919").expect("How would you like")
    bot.send("phone me please").expect("When is best")
    bot.send("4").expect("Who suggested")
    bot.send("my doctor").expect("optional questions about you", "Skip them all")
    # A short summary: what identifies them, how to reach them, what they want help with.
    bot.send("2").expect("Your answers:", "Feeling less alone, Being outdoors",
                                 "Dai", "01/02/1960", "CF10 1AA", "943 476 5919", "Phone call, Any time",
                                 "Shall I send it", absent=("Getting out of the house more",))
    # A correction from the summary
    bot.send("2").expect("Which part")
    bot.send("Postcode").expect("postcode")
    bot.send("CF24 3AA").expect("Changed: Postcode: CF24 3AA", "Shall I send it", absent=("Dai",))
    bot.send("yes").expect("has been sent", "within 5 working days")

    [referral] = bot.rows(Referral)
    assert referral.status == "submitted" and referral.route == "gp" and referral.postcode_area == "CF"
    assert referral.answers["what_matters"].startswith("Getting out of the house more")
    facts = statements(bot)
    assert facts[36] == {"age_band": "65-74", "postcode_area": "CF"}
    # Values in the data set's own vocabulary (config/dataset/statements.yml), no free text.
    assert facts[41] == {"route": "gp"} and facts[52] == {"origin": "gp"} and facts[48] == {"role": "gp"}
    assert facts[51] == {"reasons": ["mental", "social"]}
    assert facts[108] == {"themes": ["reduce_isolation", "nature"]}
    assert facts[80] == facts[81] == {"barriers": ["transport", "cost"]}
    assert facts[32] == {"carer": False} and 34 not in facts
    assert 45 in facts, "received by a practitioner"
    alys.deliver().expect("NEW REFERRAL 1: Dai, prefers English, SMS +447700900123", "Getting out of the house more",
                          "ACCEPT 1 / CALLED 1 / NOTFORUS 1 reason / REDIRECT 1 reason")


def test_a_whole_referral_in_welsh_on_telegram_with_buttons(telegram_bot):
    siân = linked_practitioner(telegram_bot, "Siân", "Gwynedd", "555001", areas=["LL"], language="cy")
    bot = telegram_bot
    bot.speaking("cy")
    bot.send("dewislen")
    bot.press("referral").expect("Mae presgripsiynu cymdeithasol", "PREIFATRWYDD").expect_lang("cy")
    bot.press("yes").expect("Beth sy'n bwysig i chi")
    bot.send("Dw i eisiau dod i nabod pobl yn y pentref a chael mwy o hyder").expect("Gyda beth hoffech chi help")
    bot.press("lonely")
    bot.press("learning").expect("Dewiswch un arall")
    bot.press("done").expect("prif reswm")
    bot.send("hepgor").expect("anodd cymryd rhan")
    bot.press("confidence")
    bot.press("done").expect("heb gael eich talu")
    bot.send("ydw").expect("gofalwr yn eich helpu")
    bot.send("nac ydw").expect("enw cyntaf")
    bot.send("Siôn").expect("dyddiad geni")
    bot.send("1af o Chwefror 1990").expect("cod post")
    bot.send("LL57 2DG").expect("rhif GIG")
    bot.press("skip").expect("Sut hoffech chi")
    bot.press("chat")
    bot.press("evening").expect("Pwy awgrymodd")
    bot.press("self").expect("cwestiwn dewisol amdanoch chi")
    bot.press("skip").expect("Eich atebion", "Teimlo'n llai unig, Dysgu a sgiliau", "Siôn", "01/02/1990",
                             "LL57 2DG")
    bot.press("confirm").expect("Mae eich atgyfeiriad wedi'i anfon", "5 diwrnod gwaith").expect_lang("cy")
    facts = statements(bot)
    assert facts[36] == {"age_band": "35-44", "postcode_area": "LL"}
    assert facts[108] == {"themes": ["reduce_isolation", "learning"]}
    assert facts[80] == {"barriers": ["confidence"]}
    assert facts[51] == {"reasons": []}
    assert facts[32] == {"carer": True} and facts[34] == {"carer_supporting": False}
    siân.deliver().expect("ATGYFEIRIAD NEWYDD", "Siôn", "Telegram", "[1] Derbyn").expect_lang("cy")


def test_consent_refused_stores_nothing_personal(bot):
    bot.speaking("en")
    bot.send("MENU")
    bot.press("referral").expect("Do you agree?")
    bot.send("no").expect_lang("en")
    assert bot.rows(Referral) == []
    assert [c.given for c in bot.rows(Consent)] == [False]
    assert bot.conversation().flow == "menu"


def test_a_referral_continues_after_a_restart_and_after_leaving(settings, clock):
    app = build_app(settings, clock=clock)
    bot = ConversationDriver(app)
    start_referral(bot)
    bot.send("Being less lonely").expect("Which of these")
    app.close()

    app = build_app(settings, clock=clock)  # a new process, the same database
    try:
        bot = ConversationDriver(app)
        bot.send("1 2").expect("main reason")
        bot.send("MENU").expect("Refer myself")
        bot.press("referral").expect("Welcome back", "main reason")
        assert bot.conversation().state["themes"] == ["lonely", "active"]
        assert [r.status for r in bot.rows(Referral)] == ["draft"]
    finally:
        app.close()


def test_an_unfinished_referral_gets_one_reminder_in_allowed_hours_then_closes(bot, clock):
    clock.set(datetime(2026, 3, 2, 21, 30, tzinfo=timezone.utc))  # late evening
    start_referral(bot)
    bot.send("Being less lonely")
    bot.advance("1d").expect_nothing()
    bot.advance("1d")  # two days on, at 21:30: queued for the morning
    [reminder] = [m for m in bot.rows(OutboundMessage) if "started a referral" in (m.body or "")]
    assert reminder.not_before == datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc)
    bot.advance("12h").expect("You started a referral", "carry on")
    bot.advance("1d").expect_nothing()  # once only
    bot.advance("4d")
    [referral] = bot.rows(Referral)
    assert referral.status == "abandoned" and referral.answers == {}


def test_someone_who_opted_out_gets_no_reminder(bot, clock):
    start_referral(bot)
    bot.send("Being less lonely")
    bot.send("STOP")
    bot.advance("3d")
    assert not [m for m in bot.rows(OutboundMessage) if "started a referral" in (m.body or "")]


def test_answering_after_the_reminder_carries_on(bot):
    start_referral(bot, "cy")
    bot.send("Cwmni")
    bot.advance("2d").expect("Fe ddechreuoch chi atgyfeiriad")
    bot.send("1 2").expect("prif reswm")


def test_referrals_are_routed_by_district_then_area_and_round_robin_in_the_team(bot):
    cardiff = [linked_practitioner(bot, name, "Caerdydd", f"+4477009009{i}", areas=["CF"])
               for i, name in enumerate(["Alys", "Bryn"], 10)]
    city = linked_practitioner(bot, "Carys", "Canol y ddinas", "+447700900920", areas=["CF10"])
    people = [bot.as_(f"+4477009001{i:02d}") for i in range(4)]
    for person, postcode in zip(people, ["CF24 3AA", "CF5 1AA", "CF10 1AA", "CF3 1AA"]):
        start_referral(person)
        for _ in range(30):
            step = person.conversation().state.get("step")
            if person.conversation().flow != "referral":
                break
            if step == "postcode":
                person.send(postcode)
            elif step == "summary":
                person.press("confirm")
            else:
                person.press("skip")
    owners = [r.practitioner_id for r in bot.rows(Referral)]
    assert len(set(owners[:2])) == 2, "two Cardiff referrals go to two different practitioners"
    assert owners[3] == owners[0], "then the round robin comes back to the first"
    assert owners[2] not in owners[:2], "CF10 is the city team's district"
    cardiff[0].deliver().expect("NEW REFERRAL")
    cardiff[1].deliver().expect("NEW REFERRAL")
    city.deliver().expect(f"NEW REFERRAL {bot.rows(Referral)[2].id}")


def test_the_practitioners_side_accept_contact_not_appropriate_and_redirect(bot, clock):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    start_referral(bot)
    bot.send("Feeling better in myself")
    finish_quickly(bot)
    alys.deliver()
    clock.advance(timedelta(hours=36))
    alys.send("1").expect("Referral 1 accepted", "CALLED 1")
    alys.send("1").expect("first contact recorded")
    [referral] = bot.rows(Referral)
    assert referral.status == "contacted"
    facts = statements(bot)
    assert facts[44] == {"accepted": True}
    assert facts[47] == facts[105] == {"days": 1.5}
    assert facts[122] == {"completed": True}

    second = bot.as_("+447700900555")
    start_referral(second)
    finish_quickly(second)
    alys.deliver()
    alys.press("referral:2:not_appropriate").expect("why is it not appropriate")
    alys.send("Needs urgent mental health support: passed to the crisis team").expect("closed")
    third = bot.as_("+447700900556")
    start_referral(third)
    finish_quickly(third)
    alys.deliver()
    alys.press("referral:3:redirect").expect("which service")
    alys.send("Citizens Advice for debt").expect("closed")
    statuses = {r.id: (r.status, r.outcome_reason) for r in bot.rows(Referral)}
    assert statuses[2] == ("not_appropriate", "Needs urgent mental health support: passed to the crisis team")
    assert statuses[3] == ("redirected", "Citizens Advice for debt")
    assert statements(second)[49] == {"inappropriate": True}  # the reason stays on the referral
    alys.press("referral:99:accept").expect("can't find an open referral")


def test_withdrawing_consent_in_welsh_deletes_answers_and_tells_the_practitioner(telegram_bot):
    alys = linked_practitioner(telegram_bot, "Alys", "Caerdydd", "555001", areas=["CF"])
    start_referral(telegram_bot, "cy")
    telegram_bot.send("Cwmni")
    finish_quickly(telegram_bot)
    alys.deliver()
    telegram_bot.send("tynnu caniatâd yn ôl").expect("Ydych chi eisiau tynnu eich caniatâd yn ôl?")
    telegram_bot.press("yes").expect("Mae eich caniatâd wedi'i dynnu'n ôl")
    [referral] = telegram_bot.rows(Referral)
    assert referral.status == "withdrawn" and referral.answers == {}
    assert [c.given for c in telegram_bot.rows(Consent)] == [True, False]
    alys.deliver().expect("has been withdrawn")


def test_withdrawing_from_the_menu_and_changing_ones_mind(bot):
    start_referral(bot)
    bot.send("MENU").expect("Withdraw my consent")
    bot.press("withdraw_consent").expect("Do you want to withdraw")
    bot.send("no").expect("nothing has changed")
    assert [c.given for c in bot.rows(Consent)] == [True]
    bot.send("withdraw consent").expect("Do you want to withdraw")
    bot.send("yes").expect("deleted")
    assert [r.status for r in bot.rows(Referral)] == ["withdrawn"]


def test_a_telegram_deep_link_from_a_gp_carries_through_the_active_offer(telegram_bot):
    telegram_bot.send("/start GP-W91234", payload="GP-W91234").expect("Cymraeg", "English")
    telegram_bot.press("en").expect("Social prescribing connects you", "Do you agree?")
    telegram_bot.press("yes")
    telegram_bot.send("Help with money")
    finish_quickly(telegram_bot)
    [referral] = telegram_bot.rows(Referral)
    assert (referral.route, referral.source) == ("gp", "GP-W91234")
    facts = statements(telegram_bot)
    assert facts[41] == {"route": "gp"} and facts[52] == {"origin": "GP-W91234"}


def test_an_sms_referral_code_keyword(bot):
    bot.speaking("cy")
    bot.send("ATG TAI-CAERDYDD").expect("Mae presgripsiynu cymdeithasol")
    bot.send("ydw")
    bot.send("Tŷ oer a tamp")
    finish_quickly(bot)
    [referral] = bot.rows(Referral)
    assert (referral.route, referral.source) == ("housing", "TAI-CAERDYDD")


def test_an_sms_referral_code_as_the_very_first_message(bot):
    bot.send("REF GP-W91234").expect("Cymraeg", "English")
    bot.send("2").expect("Social prescribing connects you")


def test_help_in_the_middle_asks_the_same_question_again(bot):
    start_referral(bot)
    bot.send("Walking")
    bot.send("HELP").expect("Which of these")


def test_one_open_referral_at_a_time(bot):
    start_referral(bot)
    finish_quickly(bot)
    bot.send("MENU")
    bot.press("referral").expect("You already have a referral")
    assert len(bot.rows(Referral)) == 1


def test_a_practitioner_lists_what_is_open(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"], lead=True)
    alys.send("LIST").expect("nothing open")
    start_referral(bot)
    finish_quickly(bot)
    bot.send("I want to die")
    alys.deliver()
    alys.send("list").expect("SAFEGUARDING ALERT 1", "I want to die", "ACK 1",
                             "Referral 1", "waiting to be accepted", "ACCEPT 1", before="Referral 1")
    alys.send("1").expect("More than one thing is waiting", "ACK 1", "ACCEPT 1")   # not a guess
    alys.send("ACK 1").expect("you have acknowledged alert 1")


def test_a_deep_link_for_someone_we_already_know_starts_the_referral(telegram_bot):
    telegram_bot.speaking("en")
    telegram_bot.send("/start HEALTH-NURSE1", payload="HEALTH-NURSE1").expect("Social prescribing connects you")


def test_on_telegram_a_phone_call_needs_a_number_which_the_practitioner_and_alerts_get(telegram_bot):
    alys = linked_practitioner(telegram_bot, "Alys", "Caerdydd", "555001", areas=["CF"], lead=True)
    bot = telegram_bot
    start_referral(bot)
    for _ in range(12):
        if bot.conversation().state["step"] == "contact_how":
            break
        bot.press("skip")
    bot.press("phone").expect("What number")
    bot.send("07700 9001").expect("doesn't look like a UK phone number")
    bot.send("+44 (0)7700 900123").expect("When is best")
    finish_quickly(bot)
    alys.deliver().expect("Phone: 07700900123")
    bot.send("he hits me")
    alys.deliver().expect("SAFEGUARDING ALERT", "100200300 / 07700900123")


def test_by_sms_a_phone_call_does_not_ask_for_the_number_we_have(bot):
    start_referral(bot)
    for _ in range(12):
        if bot.conversation().state["step"] == "contact_how":
            break
        bot.press("skip")
    bot.send("phone call").expect("When is best")
