"""The Rasa training data: every intent, enough varied examples, clean annotations, held-out tests."""
from __future__ import annotations

import re

import pytest
import yaml

from config import config_path
from nlu import gazetteer
from nlu.result import INTENTS
from nlu.training_data import NLU_DIR, load_examples, parse_example, training_files

LANGS = ("en", "cy")


def _norm(text: str) -> str:
    return re.sub(r"[\s!?.,]+", " ", text.lower()).strip()


@pytest.mark.parametrize("lang", LANGS)
def test_every_intent_has_at_least_40_distinct_examples(lang):
    examples = load_examples(NLU_DIR / lang / "nlu.yml")
    by_intent: dict[str, set[str]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, set()).add(ex.text)
    assert set(by_intent) == set(INTENTS)
    short = {i: len(v) for i, v in by_intent.items() if len(v) < 40}
    assert not short


@pytest.mark.parametrize("lang", LANGS)
def test_files_are_rasa_3_1_yaml(lang):
    for name in ("nlu.yml", "test.yml", "lookups.yml"):
        data = yaml.safe_load((NLU_DIR / lang / name).read_text(encoding="utf-8"))
        assert data["version"] == "3.1"
    config = yaml.safe_load((NLU_DIR / lang / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == lang


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_set_is_never_trained_on(lang):
    assert NLU_DIR / lang / "test.yml" not in training_files(lang)
    train = {_norm(ex.text) for f in training_files(lang) for ex in load_examples(f)}
    test = load_examples(NLU_DIR / lang / "test.yml")
    assert {ex.intent for ex in test} == set(INTENTS)
    assert [ex.text for ex in test if _norm(ex.text) in train] == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["nlu.yml", "test.yml"])
def test_entity_annotations_sit_on_word_boundaries(lang, name):
    # Rasa's tokenizer splits "mae'n" at the apostrophe: an entity must not start or end mid-word.
    for ex in load_examples(NLU_DIR / lang / name):
        for e in ex.entities:
            assert e.entity in ("activity", "location"), ex
            before = ex.text[e.start - 1] if e.start else " "
            after = ex.text[e.end] if e.end < len(ex.text) else " "
            assert not before.isalnum() and before != "'", ex
            assert not after.isalnum() and after != "'", ex


def test_welsh_echo_answers_are_covered():
    texts = {ex.intent: set() for ex in load_examples(NLU_DIR / "cy" / "nlu.yml")}
    for ex in load_examples(NLU_DIR / "cy" / "nlu.yml"):
        texts[ex.intent].add(ex.text)
    assert {"ydw", "oes", "do", "hoffwn", "ie", "ydy", "bydd"} <= texts["affirm"]
    assert {"nac ydw", "nac oes", "naddo", "na hoffwn", "nage"} <= texts["deny"]


def test_welsh_data_has_north_and_south_forms():
    text = " ".join(ex.text for ex in load_examples(NLU_DIR / "cy" / "nlu.yml"))
    for word in ("isio", "eisiau", "moyn", "efo", "gyda", "dw i", "rydw i" if "rydw i" in text else "rwy"):
        assert word in text


def test_annotation_parser_keeps_offsets():
    ex = parse_example('oes [côr](activity) yng [Nghaerdydd]{"entity": "location", "value": "Caerdydd"}?', "x")
    assert ex.text == "oes côr yng Nghaerdydd?"
    assert [(e.value, ex.text[e.start:e.end]) for e in ex.entities] == [
        ("côr", "côr"), ("Caerdydd", "Nghaerdydd")]


def test_lookup_files_are_up_to_date(tmp_path):
    for lang in LANGS:
        fresh = gazetteer.write_rasa_lookups(lang, tmp_path)
        assert fresh.read_text(encoding="utf-8") == (NLU_DIR / lang / "lookups.yml").read_text(
            encoding="utf-8"), "run python -m nlu.gazetteer"


def test_lookup_synonyms_map_mutations_and_translations():
    data = yaml.safe_load((NLU_DIR / "cy" / "lookups.yml").read_text(encoding="utf-8"))
    synonyms = {i["synonym"]: set(i["examples"].replace("- ", "").split("\n")) for i in data["nlu"]
                if "synonym" in i}
    assert {"Nghaerdydd", "Gaerdydd", "Chaerdydd", "Cardiff"} <= synonyms["Caerdydd"]
    assert "Mangor" in synonyms["Bangor"]
    assert {"gerdded", "cerdded"} <= synonyms["walking"]


def test_places_are_attributed():
    attribution = config_path("data", "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Contains Ordnance Survey data © Crown copyright and database right 2019" in attribution
