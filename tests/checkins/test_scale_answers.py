"""Reading scale answers in English and Welsh: numbers, words, mutations, skips, never clamped."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from nlu.numbers import DECLINE, OUT_OF_RANGE, SKIP, UNCLEAR, VALUE, ScaleAnswer, read_scale_answer


@pytest.mark.parametrize("text, value", [
    ("7", 7), (" 7 ", 7), ("7/10", 7), ("7 / 10", 7), ("7 out of 10", 7), ("seven out of ten", 7),
    ("about 6", 6), ("Around 6!", 6), ("I think 7", 7), ("i'd say 8", 8), ("probably 3", 3), ("zero", 0),
    ("ten", 10), ("Saith", 7), ("saith allan o ddeg", 7), ("tua chwech", 6), ("wyth", 8), ("naw", 9),
    ("deg", 10), ("dim", 0), ("sero", 0), ("dau", 2), ("ddau", 2), ("dwy", 2), ("tri", 3), ("dri", 3),
    ("a thri", 3), ("pedwar", 4), ("bedwar", 4), ("pump", 5), ("bump", 5), ("un", 1),
])
def test_numbers_in_digits_and_words(text, value):
    assert read_scale_answer(text, 0, 10) == ScaleAnswer(VALUE, value)


@pytest.mark.parametrize("text, value", [("11", 11), ("12", 12), ("-1", -1), ("15/10", 15), ("un ar ddeg", 11),
                                         ("twenty", 20)])
def test_out_of_range_is_reported_not_clamped(text, value):
    assert read_scale_answer(text, 0, 10) == ScaleAnswer(OUT_OF_RANGE, value)


@pytest.mark.parametrize("text", ["skip", "SKIP", "next", "pass", "hepgor", "Hepgor", "nesaf"])
def test_skip_words(text):
    assert read_scale_answer(text, 0, 10).kind == SKIP


@pytest.mark.parametrize("text", ["prefer not to say", "Prefer not to say.", "I'd rather not say", "rather not",
                                  "gwell gen i beidio", "Gwell gen i beidio â dweud", "dim eisiau dweud"])
def test_prefer_not_to_say(text):
    assert read_scale_answer(text, 0, 10).kind == DECLINE


@pytest.mark.parametrize("text", ["", "banana", "7 or 8", "6.5", "between 3 and 4", "😀", "x" * 5000,
                                  "\x00\x01\x02", "dunno"])
def test_unclear_answers_are_not_guessed(text):
    assert read_scale_answer(text, 0, 10).kind == UNCLEAR


def test_a_one_to_five_scale_has_its_own_range():
    assert read_scale_answer("5", 1, 5) == ScaleAnswer(VALUE, 5)
    assert read_scale_answer("0", 1, 5) == ScaleAnswer(OUT_OF_RANGE, 0)


@given(st.text(max_size=300))
def test_any_text_gets_an_answer_within_the_scale_or_none(text):
    answer = read_scale_answer(text, 0, 10)
    assert answer.kind in {VALUE, OUT_OF_RANGE, SKIP, DECLINE, UNCLEAR}
    if answer.kind == VALUE:
        assert 0 <= answer.value <= 10
