"""The small pure readers the referral flow uses: dates, NHS numbers, postcodes, several picks."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from flows.base import Choice, Text
from flows.dates import DateProblem, age_band, parse_birth_date
from flows.nhs_number import NHSNumberProblem, check_digit, parse_nhs_number
from flows.picks import is_done, is_skip, read_picks
from flows.postcodes import find_postcode, parse_postcode
from flows.referral import THEME_WORDS, THEMES
from flows.referral_sources import clean_source, route_for

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("text,expected", [
    ("21/03/1970", date(1970, 3, 21)), ("21-3-70", date(1970, 3, 21)), ("21.03.1970", date(1970, 3, 21)),
    ("1970-03-21", date(1970, 3, 21)), ("21031970", date(1970, 3, 21)), ("21 March 1970", date(1970, 3, 21)),
    ("21st Mar 1970", date(1970, 3, 21)), ("March 21 1970", date(1970, 3, 21)),
    ("21 Mawrth 1970", date(1970, 3, 21)), ("21ain o Fawrth 1970", date(1970, 3, 21)),
    ("1af Ionawr 1955", date(1955, 1, 1)), ("3 Chwefror 1980", date(1980, 2, 3)), ("5 Ebrill 1990", date(1990, 4, 5)),
    ("6 Mai 1991", date(1991, 5, 6)), ("7 Mehefin 1992", date(1992, 6, 7)), ("8 Gorffennaf 1993", date(1993, 7, 8)),
    ("9 Awst 1994", date(1994, 8, 9)), ("10 Medi 1995", date(1995, 9, 10)), ("11 Hydref 1996", date(1996, 10, 11)),
    ("12 Tachwedd 1997", date(1997, 11, 12)), ("13 Rhagfyr 1998", date(1998, 12, 13)), ("29/02/2000", date(2000, 2, 29)),
    ("01/01/05", date(2005, 1, 1)),
])
def test_dates_of_birth_in_common_formats_and_both_languages(text, expected):
    assert parse_birth_date(text, TODAY) == expected


@pytest.mark.parametrize("text,reason", [
    ("31/02/1990", "impossible"), ("29/02/2001", "impossible"), ("00/01/1990", "impossible"),
    ("12/13/1990", "impossible"), ("01/01/2030", "future"), ("01/01/1850", "too_old"),
    ("yesterday", "format"), ("", "format"), ("🙂", "format"), ("x" * 5000, "format"), ("32 Mawrth 1970", "impossible"),
])
def test_impossible_dates_are_refused_with_the_reason(text, reason):
    with pytest.raises(DateProblem) as problem:
        parse_birth_date(text, TODAY)
    assert problem.value.reason == reason


def test_age_bands_for_reporting():
    assert age_band(date(1976, 3, 3), TODAY) == "45-54"
    assert age_band(date(1976, 3, 2), TODAY) == "45-54"
    assert age_band(date(1950, 1, 1), TODAY) == "75+"
    assert age_band(date(2010, 1, 1), TODAY) == "16-24"


def test_nhs_numbers_with_the_modulus_11_check():
    assert parse_nhs_number("943 476 5919") == "9434765919"
    assert parse_nhs_number("943-476-5919") == "9434765919"
    with pytest.raises(NHSNumberProblem, match="check"):
        parse_nhs_number("9434765918")  # one digit wrong
    with pytest.raises(NHSNumberProblem, match="check"):
        parse_nhs_number("9434765991")  # two digits swapped
    with pytest.raises(NHSNumberProblem, match="length"):
        parse_nhs_number("94347659")
    with pytest.raises(NHSNumberProblem, match="length"):
        parse_nhs_number("not a number")
    assert check_digit("000000006") is None  # the check would be 10: no valid number starts like this


@given(st.text(max_size=30))
def test_no_input_breaks_the_readers(text):
    for parse in (lambda t: parse_birth_date(t, TODAY), parse_nhs_number):
        try:
            parse(text)
        except (DateProblem, NHSNumberProblem):
            pass
    parse_postcode(text)
    find_postcode(text)
    read_picks(Text(text), THEMES, THEME_WORDS)


@pytest.mark.parametrize("text,area,district", [
    ("CF10 1AA", "CF", "CF10"), ("cf101aa", "CF", "CF10"), ("LL57 2DG", "LL", "LL57"), ("SA1 1AA", "SA", "SA1"),
    ("NP20 1AB", "NP", "NP20"), ("EC1A 1BB", "EC", "EC1A"), ("ll57 2dg ", "LL", "LL57"),
    ("cf10 oaa", "CF", "CF10"),  # a letter O typed for the zero
])
def test_postcodes(text, area, district):
    postcode = parse_postcode(text)
    assert (postcode.area, postcode.district) == (area, district)


@pytest.mark.parametrize("text", ["CF10", "12345", "CF10 1A", "hello", "", "C F", "CF10 1AAA", "🙂"])
def test_invalid_postcodes(text):
    assert parse_postcode(text) is None


def test_a_postcode_inside_a_sentence():
    assert find_postcode("I live in Bangor, LL57 2DG thanks").district == "LL57"


def test_picks_by_button_numbers_and_words_in_both_languages():
    assert read_picks(Choice("money"), THEMES, THEME_WORDS) == ("money",)
    assert read_picks(Text("1 3, 9"), THEMES, THEME_WORDS) == ("lonely", "mental", "outdoors")
    assert read_picks(Text("I'm lonely and want to walk more"), THEMES, THEME_WORDS) == ("lonely", "active")
    assert read_picks(Text("dw i'n unig ac eisiau garddio"), THEMES, THEME_WORDS) == ("lonely", "outdoors")
    assert read_picks(Text("gwirfoddoli"), THEMES, THEME_WORDS) == ("volunteering",)
    assert read_picks(Text("42"), THEMES, THEME_WORDS) == ()
    assert is_skip(Text("Hepgor")) and is_skip(Text("skip")) and is_skip(Text("dim syniad"))
    assert is_done(Text("Dyna ni")) and is_done(Choice("done"))


def test_source_codes_and_their_routes():
    assert clean_source(" gp-w91234 ") == "GP-W91234"
    assert clean_source("<script>") == ""
    assert route_for("GP-W91234") == "gp"
    assert route_for("TAI-CAERDYDD") == "housing"
    assert route_for("XYZ-1") == "other"
    assert route_for("") == "self"


def test_data_set_values_use_the_reported_vocabulary():
    from flows.referral import ReferralState, dataset_events

    state = ReferralState(themes=("lonely", "caring", "outdoors"), barriers=("childcare", "mobility", "digital"),
                          reasons=("physical",), age_band="0-15", source="TAI-1", route="housing")
    events = {e.statement: e.value for e in dataset_events(state, "housing")}
    assert events[108] == {"themes": ["reduce_isolation", "other", "nature"]}
    assert events[80] == {"barriers": ["caring", "access"]}
    assert events[41] == {"route": "other"} and events[52] == {"origin": "TAI-1"}
    # Under 16 never reaches the data set (the referral stops), and 36 always keeps a valid band.
    assert events[36] == {"age_band": "prefer_not_to_say"}
    assert {e.statement: e.value for e in dataset_events(ReferralState(), "self")}[36] == \
        {"age_band": "prefer_not_to_say"}


@pytest.mark.parametrize("text,number", [
    ("07700 900123", "07700900123"), ("+44 7700 900123", "07700900123"), ("+44 (0)7700 900123", "07700900123"),
    ("0044 29 2000 0000", "02920000000"), ("029 2000 0000", "02920000000"), ("01248 123456", "01248123456"),
    ("07700 9001", None), ("07700 900 45", None), ("029 2087 1234", "02920871234"), ("999", None), ("09001 234567", None), ("hello", None), ("", None),
])
def test_uk_phone_numbers(text, number):
    from flows.phone_numbers import parse_uk_phone
    assert parse_uk_phone(text) == number
