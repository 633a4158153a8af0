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
    bot.send("MENU").expect_key(choices=('referral', 'asset_search', 'checkin', 'language'))
    bot.send("1").expect_key("referral.intro", "consent.question", lang="en", before="consent.question")
    bot.send("privacy").expect_key("consent.privacy_notice", lang="en")
    bot.send("yes").expect_key("referral.what_matters", lang="en")
    bot.send("Getting out of the house more, I've been on my own since my wife died").expect_key("referral.themes", lang="en")
    bot.send("1 and 9").expect_key("referral.reasons", lang="en").expect_key("conversation.picked", picked=["referral.theme_lonely", "referral.theme_outdoors"])
    bot.send("seventeen").expect_key("referral.picks_not_understood", "referral.reasons", lang="en")
    bot.send("social and mental").expect_key("referral.barriers", lang="en")
    bot.send("the bus and cost").expect_key("referral.carer", lang="en")
    bot.send("maybe").expect_key("referral.yes_no_again", lang="en")
    bot.send("no").expect_key("referral.has_carer", lang="en")
    bot.send("skip").expect_key("referral.name", lang="en")
    bot.send("my name is not important 123").expect_key("referral.name_again", lang="en")
    bot.send("Dai").expect_key("referral.dob", lang="en")
    bot.send("31/02/1960").expect_key("referral.dob_impossible", lang="en")
    bot.send("01/01/2030").expect_key("referral.dob_future", lang="en")
    bot.send("a while ago").expect_key("referral.dob_format", lang="en")
    bot.send("1/2/1960").expect_key("referral.postcode", lang="en")
    bot.send("CF99").expect_key("referral.postcode_invalid", lang="en")
    bot.send("cf10 1aa").expect_key("referral.nhs", lang="en")
    bot.send("94347659").expect_key("referral.nhs_length", lang="en")
    bot.send("943 476 5918").expect_key("referral.nhs_check", lang="en")
    bot.send("943 476 5919").expect_key("referral.contact_how", lang="en")
    bot.send("phone me please").expect_key("referral.contact_when", lang="en")
    bot.send("4").expect_key("referral.route", lang="en")
    bot.send("my doctor").expect_key("pc.intro", lang="en", choices=('yes', 'skip'))
    # A short summary: what identifies them, how to reach them, what they want help with.
    bot.send("2").expect_key("referral.summary", "referral.summary_question", lang="en").expect("Feeling less alone, Being outdoors", "Dai", "01/02/1960", "CF10 1AA", "943 476 5919", "Phone call, Any time", absent=("Getting out of the house more",))
    # A correction from the summary
    bot.send("2").expect_key("referral.change_which", lang="en")
    bot.send("Postcode").expect_key("referral.postcode", lang="en")
    bot.send("CF24 3AA").expect_key("referral.summary_question", lang="en").expect_key("conversation.summary_changed", summary="Postcode: CF24 3AA").expect(absent=("Dai",))
    bot.send("yes").expect_key("referral.submitted", lang="en", days=5)

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
    alys.deliver().expect_key("referral.practitioner_new_short", address="+447700900123", id=1, who="Dai, prefers English, SMS").expect("Getting out of the house more", "ACCEPT 1 / CALLED 1 / NOTFORUS 1 reason / REDIRECT 1 reason")


def test_a_whole_referral_in_welsh_on_telegram_with_buttons(telegram_bot):
    siân = linked_practitioner(telegram_bot, "Siân", "Gwynedd", "555001", areas=["LL"], language="cy")
    bot = telegram_bot
    bot.speaking("cy")
    bot.send("dewislen")
    bot.press("referral").expect_key("referral.intro", lang="cy").expect_lang("cy")
    bot.press("yes").expect_key("referral.what_matters", lang="cy")
    bot.send("Dw i eisiau dod i nabod pobl yn y pentref a chael mwy o hyder").expect_key("referral.themes", lang="cy")
    bot.press("lonely")
    bot.press("learning").expect_key("referral.picked_more", lang="cy")
    bot.press("done").expect_key("referral.reasons", lang="cy")
    bot.send("hepgor").expect_key("referral.barriers", lang="cy")
    bot.press("confidence")
    bot.press("done").expect_key("referral.carer", lang="cy")
    bot.send("ydw").expect_key("referral.has_carer", lang="cy")
    bot.send("nac ydw").expect_key("referral.name", lang="cy")
    bot.send("Siôn").expect_key("referral.dob", lang="cy")
    bot.send("1af o Chwefror 1990").expect_key("referral.postcode", lang="cy")
    bot.send("LL57 2DG").expect_key("referral.nhs", lang="cy")
    bot.press("skip").expect_key("referral.contact_how", lang="cy")
    bot.press("chat")
    bot.press("evening").expect_key("referral.route", lang="cy")
    bot.press("self").expect_key("pc.intro", lang="cy")
    bot.press("skip").expect_key("referral.summary", lang="cy").expect("Teimlo'n llai unig, Dysgu a sgiliau", "Siôn", "01/02/1990", "LL57 2DG")
    bot.press("confirm").expect_key("referral.submitted", lang="cy", days=5)
    facts = statements(bot)
    assert facts[36] == {"age_band": "35-44", "postcode_area": "LL"}
    assert facts[108] == {"themes": ["reduce_isolation", "learning"]}
    assert facts[80] == {"barriers": ["confidence"]}
    assert facts[51] == {"reasons": []}
    assert facts[32] == {"carer": True} and facts[34] == {"carer_supporting": False}
    siân.deliver().expect_key("referral.practitioner_new", lang="cy").expect("Siôn", "Telegram", "[1] Derbyn").expect_lang("cy")


def test_consent_refused_stores_nothing_personal(bot):
    bot.speaking("en")
    bot.send("MENU")
    bot.press("referral").expect_key("consent.question", lang="en")
    bot.send("no").expect_lang("en")
    assert bot.rows(Referral) == []
    assert [c.given for c in bot.rows(Consent)] == [False]
    assert bot.conversation().flow == "menu"


def test_a_referral_continues_after_a_restart_and_after_leaving(settings, clock):
    app = build_app(settings, clock=clock)
    bot = ConversationDriver(app)
    start_referral(bot)
    bot.send("Being less lonely").expect_key("referral.themes", lang="en")
    app.close()

    app = build_app(settings, clock=clock)  # a new process, the same database
    try:
        bot = ConversationDriver(app)
        bot.send("1 2").expect_key("referral.reasons", lang="en")
        bot.send("MENU").expect_key(choices=('referral', 'asset_search', 'checkin', 'withdraw_consent', 'language'))
        bot.press("referral").expect_key("referral.welcome_back", "referral.reasons", lang="en")
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
    [reminder] = bot.rows(OutboundMessage, catalog_key="referral.reminder")
    assert reminder.not_before == datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc)
    bot.advance("12h").expect_key("referral.reminder", lang="en")
    bot.advance("1d").expect_nothing()  # once only
    bot.advance("4d")
    [referral] = bot.rows(Referral)
    assert referral.status == "abandoned" and referral.answers == {}


def test_someone_who_opted_out_gets_no_reminder(bot, clock):
    start_referral(bot)
    bot.send("Being less lonely")
    bot.send("STOP")
    bot.advance("3d")
    assert not bot.rows(OutboundMessage, catalog_key="referral.reminder")


def test_answering_after_the_reminder_carries_on(bot):
    start_referral(bot, "cy")
    bot.send("Cwmni")
    bot.advance("2d").expect_key("referral.reminder", lang="cy")
    bot.send("1 2").expect_key("referral.reasons", lang="cy")


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
    cardiff[0].deliver().expect_key("referral.practitioner_new_short", lang="en")
    cardiff[1].deliver().expect_key("referral.practitioner_new_short", lang="en")
    city.deliver().expect_key("referral.practitioner_new_short", id=bot.rows(Referral)[2].id)


def test_the_practitioners_side_accept_contact_not_appropriate_and_redirect(bot, clock):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"])
    start_referral(bot)
    bot.send("Feeling better in myself")
    finish_quickly(bot)
    alys.deliver()
    clock.advance(timedelta(hours=36))
    alys.send("1").expect_key("referral.practitioner_accepted", id=1)
    alys.send("1").expect_key("referral.practitioner_contacted", lang="en")
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
    alys.press("referral:2:not_appropriate").expect_key("referral.practitioner_ask_reason", lang="en")
    alys.send("Needs urgent mental health support: passed to the crisis team").expect_key("referral.practitioner_closed", lang="en")
    third = bot.as_("+447700900556")
    start_referral(third)
    finish_quickly(third)
    alys.deliver()
    alys.press("referral:3:redirect").expect_key("referral.practitioner_ask_service", lang="en")
    alys.send("Citizens Advice for debt").expect_key("referral.practitioner_closed", lang="en")
    statuses = {r.id: (r.status, r.outcome_reason) for r in bot.rows(Referral)}
    assert statuses[2] == ("not_appropriate", "Needs urgent mental health support: passed to the crisis team")
    assert statuses[3] == ("redirected", "Citizens Advice for debt")
    assert statements(second)[49] == {"inappropriate": True}  # the reason stays on the referral
    alys.press("referral:99:accept").expect_key("referral.practitioner_unknown", lang="en")


def test_withdrawing_consent_in_welsh_deletes_answers_and_tells_the_practitioner(telegram_bot):
    alys = linked_practitioner(telegram_bot, "Alys", "Caerdydd", "555001", areas=["CF"])
    start_referral(telegram_bot, "cy")
    telegram_bot.send("Cwmni")
    finish_quickly(telegram_bot)
    alys.deliver()
    telegram_bot.send("tynnu caniatâd yn ôl").expect_key("referral.withdraw_confirm", lang="cy")
    telegram_bot.press("yes").expect_key("referral.withdrawn", lang="cy")
    [referral] = telegram_bot.rows(Referral)
    assert referral.status == "withdrawn" and referral.answers == {}
    assert [c.given for c in telegram_bot.rows(Consent)] == [True, False]
    alys.deliver().expect_key("referral.practitioner_withdrawn", lang="en")


def test_withdrawing_from_the_menu_and_changing_ones_mind(bot):
    start_referral(bot)
    bot.send("MENU").expect_key(choices=('referral', 'asset_search', 'checkin', 'withdraw_consent', 'language'))
    bot.press("withdraw_consent").expect_key("referral.withdraw_confirm", lang="en")
    bot.send("no").expect_key("referral.withdraw_kept", lang="en")
    assert [c.given for c in bot.rows(Consent)] == [True]
    bot.send("withdraw consent").expect_key("referral.withdraw_confirm", lang="en")
    bot.send("yes").expect_key("referral.withdrawn", lang="en")
    assert [r.status for r in bot.rows(Referral)] == ["withdrawn"]


def test_a_telegram_deep_link_from_a_gp_carries_through_the_active_offer(telegram_bot):
    telegram_bot.send("/start GP-W91234", payload="GP-W91234").expect_key(choices=('cy', 'en'))
    telegram_bot.press("en").expect_key("referral.intro", "consent.question", lang="en")
    telegram_bot.press("yes")
    telegram_bot.send("Help with money")
    finish_quickly(telegram_bot)
    [referral] = telegram_bot.rows(Referral)
    assert (referral.route, referral.source) == ("gp", "GP-W91234")
    facts = statements(telegram_bot)
    assert facts[41] == {"route": "gp"} and facts[52] == {"origin": "GP-W91234"}


def test_an_sms_referral_code_keyword(bot):
    bot.speaking("cy")
    bot.send("ATG TAI-CAERDYDD").expect_key("referral.intro", lang="cy")
    bot.send("ydw")
    bot.send("Tŷ oer a tamp")
    finish_quickly(bot)
    [referral] = bot.rows(Referral)
    assert (referral.route, referral.source) == ("housing", "TAI-CAERDYDD")


def test_an_sms_referral_code_as_the_very_first_message(bot):
    bot.send("REF GP-W91234").expect_key(choices=('cy', 'en'))
    bot.send("2").expect_key("referral.intro", lang="en")


def test_help_in_the_middle_asks_the_same_question_again(bot):
    start_referral(bot)
    bot.send("Walking")
    bot.send("HELP").expect_key("referral.themes", lang="en")


def test_one_open_referral_at_a_time(bot):
    start_referral(bot)
    finish_quickly(bot)
    bot.send("MENU")
    bot.press("referral").expect_key("referral.already_open", lang="en")
    assert len(bot.rows(Referral)) == 1


def test_a_practitioner_lists_what_is_open(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"], lead=True)
    alys.send("LIST").expect_key("practitioner.nothing_open", lang="en")
    start_referral(bot)
    finish_quickly(bot)
    bot.send("I want to die")
    alys.deliver()
    alys.send("list").expect("SAFEGUARDING ALERT 1", "I want to die", "ACK 1",
                             "Referral 1", "waiting to be accepted", "ACCEPT 1", before="Referral 1")
    alys.send("1").expect_key("practitioner.which", lang="en").expect("ACK 1", "ACCEPT 1")   # not a guess
    alys.send("ACK 1").expect_key("safeguarding.alert_acknowledged", alert=1)


def test_a_deep_link_for_someone_we_already_know_starts_the_referral(telegram_bot):
    telegram_bot.speaking("en")
    telegram_bot.send("/start HEALTH-NURSE1", payload="HEALTH-NURSE1").expect_key("referral.intro", lang="en")


def test_on_telegram_a_phone_call_needs_a_number_which_the_practitioner_and_alerts_get(telegram_bot):
    alys = linked_practitioner(telegram_bot, "Alys", "Caerdydd", "555001", areas=["CF"], lead=True)
    bot = telegram_bot
    start_referral(bot)
    for _ in range(12):
        if bot.conversation().state["step"] == "contact_how":
            break
        bot.press("skip")
    bot.press("phone").expect_key("referral.phone", lang="en")
    bot.send("07700 9001").expect_key("referral.phone_invalid", lang="en")
    bot.send("+44 (0)7700 900123").expect_key("referral.contact_when", lang="en")
    finish_quickly(bot)
    alys.deliver().expect("Phone: 07700900123")
    bot.send("he hits me")
    alys.deliver().expect_key("safeguarding.alert", lang="en").expect("100200300 / 07700900123")


def test_by_sms_a_phone_call_does_not_ask_for_the_number_we_have(bot):
    start_referral(bot)
    for _ in range(12):
        if bot.conversation().state["step"] == "contact_how":
            break
        bot.press("skip")
    bot.send("phone call").expect_key("referral.contact_when", lang="en")
