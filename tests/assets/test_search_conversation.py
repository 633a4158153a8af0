"""Searching by text over SMS and Telegram, in Welsh and English: filters, places, paging, widening, choosing."""
from __future__ import annotations

import pytest

from bot.asset_handlers import AssetHandlers
from bot.practitioners import add_practitioner, practitioner_for
from flows.asset_search import (
    ACTIVITY_TYPE, ORGANISATION, SERVICE_TYPE, SIGNPOSTED_ONLY, SUPPORT_FORM,
)
from storage.models import AssetSignpost, DataSetEvent, Person, Practitioner
from storage.places import default_gazetteer


def test_walking_group_in_wrexham_by_sms_in_english(bot):
    bot.speaking("en")
    bot.send("walking group in Wrexham").expect(
        "near Wrexham", "1 Wrexham Wellbeing Walks, Wrexham (0.4 km)", "New search").expect_lang("en")
    bot.send("1").expect("Wrexham Wellbeing Walks", "Where:", "When: Tuesdays 10:00-11:00", "Cost: Free",
                         "Language: English and Welsh".replace("English and Welsh", "Welsh and English"),
                         "Access: Step-free", "Getting there:", "Contact:", "I'd like to go")


def test_oes_cor_ger_llandudno_in_welsh_on_telegram(telegram_bot):
    telegram_bot.speaking("cy")
    telegram_bot.send("oes côr ger Llandudno?").expect(
        "ger Llandudno", "Ymarfer Agored Côr Meibion Llandudno").expect_lang("cy")


def test_the_menu_entry_asks_what_then_where(bot):
    bot.speaking("cy")
    bot.press("asset_search").expect("Beth hoffech chi ddod o hyd iddo", "Natur a mannau gwyrdd", "Dŵr a'r arfordir")
    bot.send("2").expect("Ble?", "Unrhyw le yng Nghymru")
    bot.send("ym Mangor").expect("Dewiswch un", absent=("Trochwyr",))
    assert bot.conversation().state["place"]["en"] == "Bangor"


@pytest.mark.parametrize("where, place", [
    ("yng Nghaerdydd", "Caerdydd"), ("i Gaerdydd", "Caerdydd"), ("o Wrecsam", "Wrecsam"),
    ("ym Mangor", "Bangor"), ("yn Abertawe", "Abertawe"), ("LL57 1AA", "LL57 1AA"), ("cf10", "CF10"),
])
def test_mutated_welsh_places_and_postcodes_in_the_search_text(telegram_bot, where, place):
    telegram_bot.speaking("cy")
    telegram_bot.send(f"grŵp cerdded {where}").expect(f"ger {place}")


def test_an_unknown_place_suggests_the_closest_names(bot):
    bot.speaking("en")
    bot.send("choir in Llandidno").expect('I don\'t know the place "llandidno"', "1 Llandudno", "Anywhere in Wales")
    bot.send("1").expect("near Llandudno", "Llandudno Male Voice Choir")


def test_results_are_paged_three_to_an_sms_with_more_and_mwy(bot):
    bot.speaking("en")
    first = bot.send("anything in Cardiff").expect("(1-3 of", "MORE")
    assert len([o for o in first.options if o["value"].startswith("r:")]) == 3
    second = bot.send("more").expect("(4-6 of")
    assert {o["value"] for o in first.options} & {o["value"] for o in second.options} <= {"more", "filter", "new"}
    bot.send("MWY")  # the Welsh word works in an English conversation too
    state = bot.conversation().state
    assert state["page"] == 2


def test_telegram_pages_hold_five_results_and_buttons_work(telegram_bot):
    telegram_bot.speaking("en")
    page = telegram_bot.send("anything in Cardiff").expect("(1–5 of")
    first_result = next(o["value"] for o in page.options if o["value"].startswith("r:"))
    telegram_bot.press(first_result).expect("Where:", "When:")
    telegram_bot.press("back").expect("(1–5 of")


@pytest.mark.parametrize("words, present, absent", [
    ("things in Welsh in Caernarfon", "Caernarfon Men's Shed", ()),
    ("free swimming in Pontypridd", "Pontypridd", ("Lido Family Swim",)),
    ("wheelchair accessible activities in Holyhead", "Tai Chi by the Harbour", ("Coastal Walkers",)),
    ("activities for children in Rhyl", "Rhyl Family Play Sessions", ()),
    ("anything on Sundays in Rhyl", "Rhyl Beach Clean", ("Play Sessions",)),
    ("outdoors in Llandudno", "Sea Swimmers", ("Coffee Morning",)),
    ("indoors in Llandudno", "Coffee Morning", ("Sea Swimmers",)),
    ("for older people in Caernarfon", "Paned a Sgwrs", ()),
])
def test_each_filter_in_words(bot, words, present, absent):
    bot.speaking("en")
    bot.send(words).expect(present, absent=absent)


def test_filters_by_option_narrow_the_results(telegram_bot):
    telegram_bot.speaking("en")
    telegram_bot.send("anything in Llandudno").expect("Sea Swimmers")
    telegram_bot.press("filter").expect("What matters to you?", "In Welsh", "Free", "Wheelchair accessible")
    telegram_bot.press("f:indoors").expect("Coffee Morning", absent=("Sea Swimmers",))
    telegram_bot.press("filter")
    telegram_bot.press("f:free").expect("Male Voice Choir", absent=("Coffee Morning",))


def test_a_refinement_in_words_keeps_the_search(bot):
    bot.speaking("cy")
    bot.send("gweithgareddau yn Llandudno").expect("Bore Coffi")
    bot.send("yn yr awyr agored").expect("Nofwyr Môr", absent=("Bore Coffi",))


def test_nothing_close_by_widens_the_radius_and_says_so(bot):
    bot.speaking("en")
    bot.send("yoga in Cardiff").expect("I found nothing close by, so I looked up to 40 km away", "Chair Yoga Newport")


def test_nothing_near_there_looks_further_and_says_so(bot):
    bot.speaking("cy")
    bot.send("ioga yn Ninbych-y-Pysgod").expect("ymhellach i ffwrdd", "Ioga Cadair Casnewydd")


def test_nothing_matching_everything_drops_filters_and_says_so(bot):
    bot.speaking("en")
    bot.send("free wheelchair accessible sea swimming in Welsh near Aberystwyth").expect(
        "Nothing matched everything you asked for")


def test_a_similar_activity_is_offered_when_the_exact_one_is_not_there(bot):
    bot.speaking("en")
    bot.send("allotment on Mondays in Cardiff").expect("similar activities", "Bute Park Health Walks")


def test_no_results_at_all_says_so_and_asks_again(bot):
    bot.speaking("en")
    bot.press("asset_search").expect("What would you like to find?")
    bot.send("ukulele orchestra").expect("Where?")
    bot.send("Cardiff").expect("could not find anything like that", "look for something else")


def test_choosing_to_go_records_the_signposting_statements(bot):
    bot.speaking("en")
    bot.send("sea swimming in Llandudno")
    bot.send("1").expect("North Shore Sea Swimmers")
    bot.send("I'd like to go").expect("enjoy North Shore Sea Swimmers")
    events = {e.statement: e.value for e in bot.rows(DataSetEvent) if e.statement != 13}
    assert set(events) == {SIGNPOSTED_ONLY, ACTIVITY_TYPE, ORGANISATION, SUPPORT_FORM, SERVICE_TYPE}
    assert events[SIGNPOSTED_ONLY] == {"service_id": "sample-llandudno-sea", "signposted_only": True}
    assert events[ACTIVITY_TYPE]["green_prescribing"] is True
    assert events[ACTIVITY_TYPE]["local_authority"] == "Conwy" and events[ACTIVITY_TYPE]["region"] == "north"
    assert events[SUPPORT_FORM]["forms"] == ["physical"]
    assert events[SERVICE_TYPE]["service_type"] == "community_group"
    [signpost] = bot.rows(AssetSignpost)
    assert signpost.kind == "signposted" and not signpost.practitioner_told
    assert "I'd like to go" not in bot.send("menu").text  # the search is over: back to the menu


def with_practitioner(app, practitioner_id):
    """Wire in who looks after whom (the referral feature will own this lookup)."""
    def assigned(session, person):
        if practitioner_for(session, person.id) is not None:
            return None  # practitioners have no practitioner
        return session.get(Practitioner, practitioner_id)

    handlers = AssetHandlers(app.catalog, default_gazetteer(), assigned_practitioner=assigned, settings=app.settings)
    app.dispatcher.effect_handlers.update(handlers.effect_handlers())
    app.dispatcher.person_facts.append(handlers.person_facts)


def test_send_to_my_practitioner_tells_them_and_records_a_referral(app, bot):
    with app.sessions.begin() as session:
        practitioner, code = add_practitioner(session, "Siân", "Conwy", app.clock.now(), language="cy")
        practitioner_id = practitioner.id
    phone = bot.as_("+447700900999")
    phone.send(f"LINK {code}")
    with_practitioner(app, practitioner_id)
    bot.speaking("en")
    bot.send("choir near Llandudno")
    bot.send("1").expect("Send to my practitioner")
    replies = bot.send("Send to my practitioner")
    replies.expect("let your practitioner know")
    told = phone.deliver().expect("Hoffai rhywun rydych chi'n ei gefnogi", "Ymarfer Agored Côr Meibion Llandudno")
    told.expect_lang("cy")
    events = {e.statement: e.value for e in bot.rows(DataSetEvent) if e.statement != 13}
    assert events[SIGNPOSTED_ONLY]["signposted_only"] is False
    [signpost] = bot.rows(AssetSignpost)
    assert signpost.kind == "referred" and signpost.practitioner_told


def test_without_a_practitioner_there_is_no_send_option(bot):
    bot.speaking("en")
    bot.send("choir near Llandudno")
    bot.send("1").expect("I'd like to go", absent=("Send to my practitioner",))


def test_odd_input_during_a_search_never_crashes(bot):
    bot.speaking("en")
    bot.send("walking in Wrexham")
    for text in ("", "🙂🙂", "x" * 5000, "\x00\x01", "99", "more", "filter", "f:nonsense"):
        bot.send(text)
    assert bot.rows(Person)[0].language == "en"
    bot.send("new").expect("What would you like to find?")


def test_help_in_the_middle_of_a_search_asks_again_where_it_was(bot):
    bot.speaking("en")
    bot.press("asset_search")
    bot.send("3")
    bot.send("HELP").expect("Where?")


@pytest.mark.parametrize("words, present, absent", [
    ("pethau yn Gymraeg yng Nghaernarfon", "Sied Dynion Caernarfon", ()),
    ("nofio am ddim ym Mhontypridd", "Pontypridd", ("Nofio Teuluol y Lido",)),
    ("gweithgareddau i blant yn y Rhyl", "Sesiynau Chwarae Teulu", ()),
    ("gweithgareddau ar ddydd Sul yn y Rhyl", "Glanhau Traeth", ("Sesiynau Chwarae",)),
    ("gweithgareddau dan do yn Llandudno", "Bore Coffi", ("Nofwyr Môr",)),
    ("gweithgareddau addas i gadair olwyn yng Nghaergybi", "Tai Chi ger yr Harbwr", ("Cerddwyr Arfordir",)),
])
def test_each_filter_in_welsh_words_on_telegram(telegram_bot, words, present, absent):
    telegram_bot.speaking("cy")
    telegram_bot.send(words).expect(present, absent=absent).expect_lang("cy")


def test_filters_by_number_over_sms_in_welsh_including_a_day(bot):
    bot.speaking("cy")
    page = bot.send("gweithgareddau yn Llandudno").expect("Culhau'r chwilio")
    narrow = next(n for n, o in enumerate(page.options, start=1) if o["value"] == "filter")
    filters = bot.send(str(narrow)).expect("Beth sy'n bwysig i chi?", "Yn Gymraeg", "Ar ddiwrnod penodol")
    day = next(n for n, o in enumerate(filters.options, start=1) if o["value"] == "f:day")
    bot.send(str(day)).expect("Pa ddiwrnod?", "Dydd Llun")
    bot.send("Dydd Mercher").expect("Bore Coffi Llandudno", absent=("Côr Meibion",)).expect_lang("cy")
    assert bot.conversation().state["query"]["days"] == ["WE"]


def test_a_choice_made_at_night_reaches_the_practitioner_in_the_morning(app, bot, clock):
    from datetime import timedelta
    with app.sessions.begin() as session:
        practitioner, code = add_practitioner(session, "Alys", "Caerdydd", app.clock.now())
        practitioner_id = practitioner.id
    phone = bot.as_("+447700900999")
    phone.send(f"LINK {code}")
    with_practitioner(app, practitioner_id)
    clock.advance(timedelta(hours=12, minutes=30))  # 22:30 in March (GMT)
    bot.speaking("en")
    bot.send("choir near Llandudno")
    bot.send("1")
    bot.send("I'd like to go").expect("enjoy")
    phone.deliver().expect_nothing()
    phone.advance("11h").expect("is planning to go to: Llandudno Male Voice Choir Open Practice")


def test_distance_in_words_and_by_option(bot, telegram_bot):
    bot.speaking("en")
    bot.send("anything in Cardiff").expect("(1-3 of")
    everything = len(bot.conversation().state["results"])
    bot.send("new")
    bot.send("anything within 3 km of Cardiff").expect("near Cardiff")
    nearby = bot.conversation().state["results"]
    assert nearby and len(nearby) < everything and all(r["distance_km"] <= 3 for r in nearby)
    telegram_bot.speaking("en")
    telegram_bot.send("anything in Cardiff")
    telegram_bot.press("filter")
    telegram_bot.press("f:nearer")
    assert all(r["distance_km"] <= 5 for r in telegram_bot.conversation().state["results"])
