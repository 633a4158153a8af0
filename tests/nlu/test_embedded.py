"""The embedded backend: held-out quality, robustness to anything people send, the disk cache."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import embedded
from nlu.evaluate import evaluate_file
from nlu.result import INTENTS, Parse
from nlu.training_data import NLU_DIR


@pytest.mark.parametrize("lang, text, intent", [
    ("cy", "oes côr yng Nghaerdydd?", "find_activity"),
    ("cy", "isio help", "self_refer"),
    ("cy", "dw i moyn mynd allan mwy", "self_refer"),
    ("cy", "nac oes", "deny"),
    ("cy", "ydw", "affirm"),
    ("cy", "dw i isio lladd fy hun", "risk"),
    ("en", "any walking groups in swansea", "find_activity"),
    ("en", "STOP", "stop"),
    ("en", "i want to kill myself", "risk"),
    ("en", "can i speak to a real person", "talk_to_person"),
])
def test_typical_messages(embedded, lang, text, intent):
    assert embedded.parse(text, lang).intent == intent


def test_entities_have_canonical_values(embedded):
    parse = embedded.parse("oes côr yng Nghaerdydd?", "cy")
    assert parse.entity("activity") == "choir"
    assert parse.entity("location") == "Caerdydd"
    assert embedded.parse("walking in cardiff?", "en").entity("location") == "Caerdydd"


@pytest.mark.parametrize("text", [
    "", " ", "😂", "🙂🙂🙂🙂", "a" * 5000, "help " * 1000, "\x00\x07\x1b[31m", "\u202e\u200b",
    "dw i isio help with my benefits plis", "?!?!", "1234567890" * 50,
])
@pytest.mark.parametrize("lang", ["en", "cy", "fr", ""])
def test_any_text_returns_an_intent(embedded, text, lang):
    parse = embedded.parse(text, lang)
    assert isinstance(parse, Parse)
    assert parse.intent in INTENTS
    assert 0.0 <= parse.confidence <= 1.0


def test_empty_text_is_out_of_scope_with_low_confidence(embedded):
    parse = embedded.parse("", "en")
    assert parse.intent == "out_of_scope" and parse.confidence < 0.5


def test_non_string_input_does_not_raise(embedded):
    assert embedded.parse(None, "en").intent in INTENTS  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_parse_never_raises(embedded, text):
    assert embedded.parse(text, "cy").intent in INTENTS


@pytest.mark.parametrize("lang, floor", [("en", 0.93), ("cy", 0.93)])
def test_held_out_quality(embedded, lang, floor):
    report = evaluate_file(embedded, lang, NLU_DIR / lang / "test.yml")
    assert report.macro_f1 >= floor
    assert report.per_intent["risk"]["recall"] == 1.0
    assert report.entity_f1 >= 0.9


def test_model_is_cached_and_reused(tmp_path, monkeypatch):
    first = embedded.load_or_train("en", tmp_path)
    assert list(tmp_path.glob("embedded-en-*.pkl"))

    def no_training(lang):
        raise AssertionError("retrained although the data did not change")

    monkeypatch.setattr(embedded.EmbeddedModel, "train", staticmethod(no_training))
    monkeypatch.setattr(embedded, "_LOADED", {})   # as a new process would: read from the file
    again = embedded.load_or_train("en", tmp_path)
    assert again.data_hash == first.data_hash
    assert embedded.load_or_train("en", tmp_path) is again   # the same process reads it once


def test_cache_key_follows_the_data(monkeypatch):
    before = embedded.cache_key("en")
    monkeypatch.setattr(embedded, "MODEL_VERSION", "something else")
    assert embedded.cache_key("en") != before


def test_a_corrupt_cache_file_is_retrained(tmp_path):
    path = tmp_path / f"embedded-cy-{embedded.cache_key('cy')}.pkl"
    path.write_bytes(b"not a pickle")
    model = embedded.load_or_train("cy", tmp_path)
    assert model.parse("diolch").intent == "thanks"


def test_warm_up_trains_in_a_child_process_and_serving_never_imports_sklearn(tmp_path):
    import subprocess
    import sys

    code = (f"from nlu.embedded import EmbeddedBackend; import sys; b = EmbeddedBackend({str(tmp_path)!r}); "
            "b.warm_up(); assert b.parse('diolch', 'cy').intent == 'thanks'; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert len(list(tmp_path.glob("embedded-*.pkl"))) == 2
