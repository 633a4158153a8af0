"""The NLU's number reader, beyond the check-in cases: every Welsh form, words that only look like numbers."""
from __future__ import annotations

import ast

import pytest

from nlu import answers, numbers, text
from nlu.numbers import OUT_OF_RANGE, UNCLEAR, VALUE, ScaleAnswer, number_words, read_scale_answer


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


def test_the_number_words_are_the_translators_in_both_languages():
    by_language = answers.by_language()
    for language in answers.LANGUAGES:
        assert "numbers" in by_language[language] and "number_hedges" in by_language[language]
        assert "answers/numbers.yml" in [f"{p.parent.name}/{p.name}" for p in answers.files(language)]
    # The same values in both languages, every one with words in each (also tests/test_answer_words.py).
    assert set(by_language["cy"]["numbers"]) == set(by_language["en"]["numbers"])


def test_no_number_word_says_two_numbers():
    said: dict[str, set[int]] = {}
    for value, words in answers.groups("numbers").items():
        for word in words:
            said.setdefault(text.phrase(word), set()).add(int(value))
    assert {word: values for word, values in said.items() if len(values) > 1} == {}
    assert number_words().values["saith"] == 7 and number_words().values["seven"] == 7


def test_no_number_word_is_left_in_python():
    tree = ast.parse(open(numbers.__file__, encoding="utf-8").read())
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    strings = {node.value for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}
    assert not strings & {"saith", "pedwar", "seven", "eleven", "un ar ddeg", "tua", "efallai", "roughly"}


@pytest.mark.parametrize("text, value", [("pymtheg", 15), ("tua bymtheg", 15)])
def test_fifteen_in_welsh_is_read_as_in_english(text, value):
    assert read_scale_answer(text, 0, 10) == ScaleAnswer(OUT_OF_RANGE, value)
    assert read_scale_answer("fifteen", 0, 10) == ScaleAnswer(OUT_OF_RANGE, 15)
