"""Scale answers for the check-ins: numbers in range, out of range (not clamped), or not numbers."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu.numbers import InRange, NotANumber, OutOfRange, parse_scale


@pytest.mark.parametrize("text, value", [
    ("7", 7), ("7/10", 7), (" 7 / 10 ", 7), ("about 6", 6), ("i'd say 8 out of 10", 8),
    ("0", 0), ("10", 10), ("seven", 7), ("Ten", 10), ("zero", 0), ("maybe five", 5),
    ("dim", 0), ("un", 1), ("dau", 2), ("dwy", 2), ("tri", 3), ("tair", 3), ("pedwar", 4),
    ("pedair", 4), ("pump", 5), ("pum", 5), ("chwech", 6), ("chwe", 6), ("saith", 7), ("wyth", 8),
    ("naw", 9), ("deg", 10), ("tua chwech", 6), ("rhyw ddau", 2), ("pump allan o ddeg", 5),
    ("sero", 0),
])
def test_numbers_in_range(text, value):
    assert parse_scale(text) == InRange(value)


@pytest.mark.parametrize("text, value", [
    ("11", 11), ("-1", -1), ("100", 100), ("eleven", 11), ("un ar ddeg", 11), ("ugain", 20),
    ("7.5", 7.5), ("12/10", 12),
])
def test_out_of_range_is_reported_with_the_number(text, value):
    assert parse_scale(text) == OutOfRange(value)


def test_range_is_a_parameter():
    assert parse_scale("5", low=1, high=4) == OutOfRange(5)
    assert parse_scale("naw", low=0, high=10) == InRange(9)


@pytest.mark.parametrize("text", ["", "hello", "dim diolch", "un funud", "🙂", "no idea", "\x00", None])
def test_not_a_number(text):
    assert parse_scale(text) == NotANumber()


@given(st.text(max_size=5000))
def test_any_text_gives_one_of_the_three_answers(text):
    assert isinstance(parse_scale(text), (InRange, OutOfRange, NotANumber))
