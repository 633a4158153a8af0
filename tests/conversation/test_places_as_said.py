"""Places as people say them, in Welsh and English, and ages (issue 20 item 8)."""
from __future__ import annotations

import pytest

from flows.asset_query import parse_query
from storage.assets.search import resolve
from storage.places import Gazetteer

GAZETTEER = Gazetteer.load()


@pytest.mark.parametrize("text, place", [
    ("walking group in Merthyr", "Merthyr Tydfil"), ("something in Ponty", "Pontypridd"),
    ("things to do in Aber", "Aberystwyth"), ("walking group in Pen-y-bont", "Bridgend"),
    ("pethau i'w gwneud yng Nghaerdydd", "Cardiff"), ("mynd i Gaernarfon", "Caernarfon"),
    ("rhywbeth trwy gyfrwng y Gymraeg yng Nghaerfyrddin", "Carmarthen"),
])
def test_places_as_people_say_them(text, place):
    resolution = resolve(GAZETTEER, parse_query(text))
    assert resolution.place is not None and resolution.place.name_en == place, text


def test_an_age_asks_for_childrens_activities():
    query = parse_query("something for my 8 year old in Wrexham")
    assert query.age_group == "children" and "children_families" in query.categories
    assert parse_query("rhywbeth i blentyn 8 oed yn Wrecsam").age_group == "children"


@pytest.mark.parametrize("text", ["things to do in Blahdeblah", "swimming yn Blahdeblah"])
def test_a_place_not_understood_is_asked_about_never_ignored(text):
    resolution = resolve(GAZETTEER, parse_query(text))
    assert resolution.place is None and resolution.unknown_place == "blahdeblah"


def test_a_welsh_phrase_with_yn_that_is_no_place_is_not_asked_about():
    assert resolve(GAZETTEER, parse_query("nofio yn y môr")).unknown_place == ""


@pytest.mark.parametrize("language, menu, text, expect", [
    ("cy", "DEWISLEN", "pethau i'w gwneud yng Nghaerdydd", "Ger Caerdydd"),
    ("cy", "DEWISLEN", "mynd i Gaernarfon", "Ger Caernarfon"),
    ("en", "MENU", "something for my 8 year old in Wrexham", "Family"),
    ("en", "MENU", "swimming yn Blahdeblah", "I don't know the place"),
])
def test_searches_in_conversation(bot, language, menu, text, expect):
    bot.speaking(language)
    bot.send(menu)
    bot.send(text).expect(expect).expect_lang(language)
