"""SMS encoding and segments: Welsh letters force UCS-2 and are never stripped."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from bot.rendering import render_sms
from bot.sms_segments import measure, plain_punctuation


@pytest.mark.parametrize("text, encoding, segments", [
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1),           # extension characters cost two septets
    ("€" * 81, "GSM-7", 2),
    ("ŵ" * 70, "UCS-2", 1),
    ("ŵ" * 71, "UCS-2", 2),
    ("a" * 133 + "ŷ", "UCS-2", 2),   # one Welsh letter turns the whole text into UCS-2
    ("a" * 134 + "â", "UCS-2", 3),
    ("😀" * 35, "UCS-2", 1),          # an emoji is two UTF-16 units
    ("", "GSM-7", 0),
])
def test_encoding_and_segments(text, encoding, segments):
    size = measure(text)
    assert (size.encoding, size.segments) == (encoding, segments)


@pytest.mark.parametrize("letter", list("âêîôûŵŷÂÊÎÔÛŴŶáéíóúẃýàèìòùẁỳäëïöüẅÿ"))
def test_welsh_letters_are_never_replaced(letter):
    text = f"Mae{letter} ‘dyfyniad’ – a… “dyfyniad”"
    rendered = render_sms(text, [{"value": "1", "label": f"ie{letter}"}])
    assert rendered.count(letter) == 2
    assert "‘" not in rendered and "“" not in rendered and "–" not in rendered


def test_curly_quotes_alone_do_not_force_ucs2():
    text = "We’ll continue in English – send “CYMRAEG” to change…"
    assert measure(text).encoding == "UCS-2"
    assert measure(plain_punctuation(text)).encoding == "GSM-7"


@given(st.text(max_size=400))
def test_measuring_any_text_never_fails_and_plain_punctuation_keeps_letters(text):
    size = measure(text)
    assert size.segments >= (1 if text else 0)
    plain = plain_punctuation(text)
    assert [c for c in plain if c.isalpha()] == [c for c in text if c.isalpha()]
