"""Places in Welsh and English (also mutated), postcodes, distances, and reading a search as texted."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from flows.asset_query import parse_query, place_only
from nlu.mutations import radical_forms
from storage.assets.search import resolve
from storage.places import default_gazetteer, haversine_km, normalise_postcode

GAZETTEER = default_gazetteer()


@pytest.mark.parametrize("said, meant", [
    ("Caerdydd", "Cardiff"), ("Cardiff", "Cardiff"), ("Nghaerdydd", "Cardiff"), ("Gaerdydd", "Cardiff"),
    ("Chaerdydd", "Cardiff"), ("Mangor", "Bangor"), ("Fangor", "Bangor"), ("Wrecsam", "Wrexham"),
    ("Abertawe", "Swansea"), ("Nhrefynwy", "Monmouth"), ("Mhen-y-bont ar Ogwr", "Bridgend"),
    ("Lanelli", "Llanelli"), ("Ddinbych", "Denbigh"), ("Yr Wyddgrug", "Mold"), ("Wyddgrug", "Mold"),
    ("Bala", "Y Bala"), ("Drenewydd", "Newtown"), ("Gasnewydd", "Newport"), ("Nghasnewydd", "Newport"),
    ("Aberhonddu", "Brecon"), ("Caergybi", "Holyhead"), ("llandudno", "Llandudno"),
])
def test_towns_are_found_by_welsh_english_and_mutated_names(said, meant):
    place = GAZETTEER.lookup(said)
    assert place is not None and place.name_en == meant


def test_newport_means_the_city_not_the_pembrokeshire_town():
    assert GAZETTEER.lookup("Newport").name_cy == "Casnewydd"


@pytest.mark.parametrize("mutated, radical", [
    ("nghaerdydd", "caerdydd"), ("mangor", "bangor"), ("gaerdydd", "caerdydd"), ("ddinbych", "dinbych"),
    ("lanelli", "llanelli"), ("rhuthun", "rhuthun"), ("wynedd", "gwynedd"), ("nhywyn", "tywyn"),
    ("mhwllheli", "pwllheli"), ("phwllheli", "pwllheli"), ("thywyn", "tywyn"), ("fachynlleth", "machynlleth"),
    ("ngwent", "gwent"), ("nolgellau", "dolgellau"), ("redynfre", "rhedynfre"),
])
def test_each_mutation_is_undone(mutated, radical):
    assert radical in radical_forms(mutated)


def test_full_postcodes_and_districts_have_their_own_centroids():
    full = GAZETTEER.lookup("ll57 1aa")
    district = GAZETTEER.lookup("LL57")
    assert full.kind == district.kind == "Postcode"
    assert (full.latitude, full.longitude) != (district.latitude, district.longitude)
    assert haversine_km(full.latitude, full.longitude, district.latitude, district.longitude) < 10
    assert normalise_postcode("cf101aa") == "CF10 1AA"
    assert normalise_postcode("walking") is None
    # A full postcode we do not hold falls back to its district.
    assert GAZETTEER.lookup("CF10 9ZZ").name_en == "CF10"


def test_distances_are_great_circle_kilometres():
    cardiff, swansea = GAZETTEER.lookup("Cardiff"), GAZETTEER.lookup("Swansea")
    assert 50 < haversine_km(cardiff.latitude, cardiff.longitude, swansea.latitude, swansea.longitude) < 60


def test_an_unknown_place_gets_the_closest_names():
    names = [p.name_en for p in GAZETTEER.suggest("Llandidno")]
    assert names[0] == "Llandudno"
    assert GAZETTEER.lookup("Llandidno") is None


@pytest.mark.parametrize("text, categories, place", [
    ("walking group in Wrexham", {"physical_activity"}, "Wrexham"),
    ("oes côr ger Llandudno?", {"creative"}, "Llandudno"),
    ("chwilio am gôr yng Nghaerdydd", {"creative"}, "Cardiff"),
    ("grŵp cerdded ym Mangor", {"physical_activity"}, "Bangor"),
    ("nofio o Wrecsam", {"blue"}, "Wrexham"),
    ("gardening Swansea", {"green"}, "Swansea"),
    ("yoga near LL57 1AA", {"physical_activity"}, "LL57 1AA"),
    ("money advice sa1", {"money_advice"}, "SA1"),
    ("something in Pen-y-bont ar Ogwr", set(), "Bridgend"),
])
def test_searches_as_texted_find_the_activity_and_the_place(text, categories, place):
    query = parse_query(text)
    assert categories <= set(query.categories)
    resolution = resolve(GAZETTEER, query)
    assert resolution.place is not None and resolution.place.name_en == place
    # The place's words are not searched for as activity words.
    assert not {w for w in resolution.words if w in text.casefold() and place.casefold().startswith(w)}


@pytest.mark.parametrize("text, expected", [
    ("in Welsh", {"welsh": True}), ("yn Gymraeg", {"welsh": True}), ("cyfrwng Cymraeg", {"welsh": True}),
    ("free", {"free": True}), ("am ddim", {"free": True}),
    ("wheelchair accessible", {"wheelchair": True}), ("addas i gadair olwyn", {"wheelchair": True}),
    ("indoors", {"setting": "indoors"}), ("dan do", {"setting": "indoors"}),
    ("outdoors", {"setting": "outdoors"}), ("yn yr awyr agored", {"setting": "outdoors"}),
    ("for children", {"age_group": "children"}), ("i blant", {"age_group": "children"}),
    ("for older people", {"age_group": "older_people"}), ("pobl hŷn", {"age_group": "older_people"}),
    ("on Tuesdays", {"days": ("TU",)}), ("ar ddydd Mawrth", {"days": ("TU",)}),
    ("at the weekend", {"days": ("SA", "SU")}), ("penwythnos", {"days": ("SA", "SU")}),
    ("within 5 km", {"radius_km": 5.0}), ("o fewn 3 milltir", {"radius_km": 4.8}),
])
def test_filters_in_words_in_both_languages(text, expected):
    query = parse_query(f"choir {text}")
    for name, value in expected.items():
        assert getattr(query, name) == value, (text, name)


def test_an_answer_to_where_is_a_place_or_anywhere():
    assert place_only("Caerdydd").places == ("caerdydd",)
    assert place_only("unrhyw le").anywhere
    assert place_only("CF10 1AA").postcode == "CF10 1AA"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_without_crashing(text):
    query = parse_query(text)
    resolve(GAZETTEER, query)


def test_long_and_odd_input_is_read_without_crashing():
    for text in ("", "🙂🙂🙂", "a" * 5000, "walk \x00\x07 in \u202eWrexham", "in in in in in", "yng", "LL"):
        resolve(GAZETTEER, parse_query(text))
