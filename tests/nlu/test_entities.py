"""Places and activities, found through Welsh soft, nasal and aspirate mutations."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import gazetteer, mutations
from nlu.entities import canonical_activity, canonical_place, find_entities


@pytest.mark.parametrize("text, expected", [
    ("Caerdydd", "Caerdydd"),
    ("cardiff", "Caerdydd"),
    ("yng Nghaerdydd", "Caerdydd"),        # nasal
    ("i Gaerdydd", "Caerdydd"),            # soft
    ("a Chaerdydd", "Caerdydd"),           # aspirate
    ("ym Mangor", "Bangor"),
    ("i Gaernarfon", "Caernarfon"),
    ("o Fangor", "Bangor"),
    ("ym Mhen-y-bont ar Ogwr", "Pen-y-bont ar Ogwr"),
    ("bridgend", "Pen-y-bont ar Ogwr"),
    ("yn y Drenewydd", "Y Drenewydd"),
    ("newtown", "Y Drenewydd"),
    ("swansea", "Abertawe"),
    ("NEWPORT", "Casnewydd"),              # the city, not the Pembrokeshire town
    ("merthyr", "Merthyr Tudful"),         # everyday short name
    ("dinbych y pysgod", "Dinbych-y-Pysgod"),
    ("near CF10", "CF10"),
    ("ll57 2ab", "LL57 2AB"),
])
def test_canonical_place(text, expected):
    assert canonical_place(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("cerdded", "walking"), ("gerdded", "walking"), ("walking group", "walking"),
    ("côr", "choir"), ("chôr", "choir"), ("nghôr", "choir"), ("gôr", "choir"), ("cor", "choir"),
    ("garddio", "gardening"), ("arddio", "gardening"), ("choirs", "choir"),
    ("pêl-droed", "football"), ("bêl-droed", "football"), ("wirfoddoli", "volunteering"),
    ("tai chi", "tai chi"), ("men's shed", "men's shed"), ("sied dynion", "men's shed"),
])
def test_canonical_activity(text, expected):
    assert canonical_activity(text) == expected


@pytest.mark.parametrize("text", [
    "", "hello", "i need some help", "dw i moyn mynd allan mwy", "rhoi'r gorau iddi",
    "cymer ofal", "main menu", "😂", "hope you are well", "fan",
])
def test_everyday_words_are_not_places_or_activities(text):
    assert canonical_place(text) is None
    assert canonical_activity(text) is None


def test_find_entities_gives_spans_in_the_original_text():
    text = "oes côr yng Nghaerdydd?"
    found = find_entities(text)
    assert [(e.entity, e.value, text[e.start:e.end]) for e in found] == [
        ("activity", "choir", "côr"), ("location", "Caerdydd", "Nghaerdydd")]


def test_mutation_tables_round_trip():
    for word in ("Caerdydd", "Bangor", "Tywyn", "Porthmadog", "Dolgellau", "Llanelli", "Rhyl", "Gwent"):
        for form in mutations.mutated_forms(word):
            assert word.lower() in mutations.radicals(form)
    assert mutations.mutated_forms("Caerdydd") == {"Gaerdydd", "Nghaerdydd", "Chaerdydd"}
    assert "tref" in mutations.radicals("thref")  # ei thref
    assert "ardal" in mutations.radicals("hardal")  # ei hardal


def test_place_record_has_both_names_and_coordinates():
    place = gazetteer.place_by_canonical("Caerdydd")
    assert place.name_en == "Cardiff" and place.local_type == "City"
    assert 51 < place.latitude < 52


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_raises(text):
    for e in find_entities(text):
        assert 0 <= e.start < e.end <= len(text)
    canonical_place(text)
    canonical_activity(text)
