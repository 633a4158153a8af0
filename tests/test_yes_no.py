"""Yes and no, Welsh echo answers included."""
from __future__ import annotations

import pytest

from flows.base import Choice, Text
from flows.yes_no import read_yes_no
from nlu.result import Parse


@pytest.mark.parametrize("text", ["yes", "Yes!", "yeah", "ok", "ydw", "Ydy", "oes", "do", "hoffwn",
                                  "ie", "bydd", "iawn", "yes please", "Ydw, rwy'n cytuno"])
def test_yes(text):
    assert read_yes_no(Text(text)) is True


@pytest.mark.parametrize("text", ["no", "No.", "nope", "nac ydw", "Nac oes", "naddo", "na hoffwn", "nage",
                                  "na", "no thanks", "dim diolch"])
def test_no(text):
    assert read_yes_no(Text(text)) is False


@pytest.mark.parametrize("text", ["", "maybe", "😀", "what do you mean", "x" * 5000,
                                  "I said yes to my friend but I am not sure about this at all"])
def test_neither(text):
    assert read_yes_no(Text(text)) is None


def test_buttons_and_the_nlu():
    assert read_yes_no(Choice("yes")) is True
    assert read_yes_no(Choice("no")) is False
    assert read_yes_no(Text("certainly would", Parse("affirm", 0.95))) is True
    assert read_yes_no(Text("rather not", Parse("deny", 0.95))) is False
