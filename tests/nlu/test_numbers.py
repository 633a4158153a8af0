"""The NLU's number reader, beyond the check-in cases: every Welsh form, words that only look like numbers."""
from __future__ import annotations

import pytest

from nlu.numbers import OUT_OF_RANGE, UNCLEAR, VALUE, ScaleAnswer, read_scale_answer


@pytest.mark.parametrize("text, value", [
    (" 7 / 10 ", 7), ("i'd say 8 out of 10", 8), ("Ten", 10), ("maybe five", 5), ("tair", 3),
    ("pedair", 4), ("pum", 5), ("chwe", 6), ("rhyw ddau", 2), ("pump allan o ddeg", 5), ("deng", 10),
])
def test_numbers_in_range(text, value):
    assert read_scale_answer(text, 0, 10) == ScaleAnswer(VALUE, value)


@pytest.mark.parametrize("text, value", [("100", 100), ("eleven", 11), ("ugain", 20), ("12/10", 12)])
def test_out_of_range_is_reported_with_the_number(text, value):
    assert read_scale_answer(text, 0, 10) == ScaleAnswer(OUT_OF_RANGE, value)


def test_range_is_a_parameter():
    assert read_scale_answer("5", 1, 4) == ScaleAnswer(OUT_OF_RANGE, 5)
    assert read_scale_answer("naw", 0, 10) == ScaleAnswer(VALUE, 9)


@pytest.mark.parametrize("text", ["hello", "dim diolch", "un funud", "🙂", "no idea", "\x00", "7.5"])
def test_not_a_number(text):
    assert read_scale_answer(text, 0, 10).kind == UNCLEAR
