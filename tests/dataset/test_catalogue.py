"""The Appendix Five catalogue is complete, consistent, and every label it names exists in both languages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.synthetic_events import journey
from bot.catalog import read_catalogs
from bot.cli import main
from storage.dataset.catalogue import load_catalogue

# shared/ sits beside the checkout (as in CI); the document is not ours to ship.
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "core-standards-and-values-wales-2026.md"
CATALOGUE = load_catalogue()


def test_every_appendix_five_statement_is_there_once():
    assert sorted(CATALOGUE.statements) == list(range(1, 126))


def test_table2_has_its_fifteen_measures():
    assert CATALOGUE.table2 == {"how_much": (122, 123, 36, 51, 112), "how_well": (94, 109, 72, 70, 80, 108, 91),
                                "better_off": (82, 87, 93)}
    assert CATALOGUE[91].table2 == "how_well" and CATALOGUE[91].rba == "better_off"


@pytest.mark.skipif(not REFERENCE.exists(), reason="the reference document is not on this machine")
def test_texts_and_rankings_match_the_reference_document():
    text = REFERENCE.read_text(encoding="utf-8")
    found = re.findall(r"^(\d) (\d+)\t(.*?)\t([\d.]+)\t([\d.]+)\t([\d.]+)\t(.*?)\t(.*?)$", text, re.M)
    assert len(found) == 125
    questions = {"How much?": "how_much", "How well?": "how_well", "What difference?": "better_off", "N/A": "none"}
    for cluster, number, statement_text, bridging, importance, ease, types, rba in found:
        s = CATALOGUE[int(number)]
        assert (s.cluster, s.text, s.bridging, s.importance, s.ease) == (
            int(cluster), statement_text.strip(), float(bridging), float(importance), float(ease))
        assert s.types == tuple(t.strip() for t in types.split("&")) and s.rba == questions[rba]


def test_every_label_and_title_key_exists_in_welsh_and_english():
    catalogs = read_catalogs()
    keys = {s.title for s in CATALOGUE.statements.values() if s.title}
    for s in CATALOGUE.statements.values():
        for spec in s.fields.values():
            keys |= {k for k in spec.values.values() if k} | ({spec.label} if spec.label else set())
    missing = {lang: sorted(keys - set(catalogs[lang])) for lang in ("cy", "en")}
    assert missing == {"cy": [], "en": []}


def test_value_shapes_accept_good_values_and_name_bad_ones():
    assert CATALOGUE.problems(91, {"instrument": "swemwbs", "wave": "baseline", "score": 23.2}) == []
    assert CATALOGUE.problems(47, {"days": 3.5}) == []
    assert CATALOGUE.problems(91, {"score": 99, "wave": "7w"}) == [
        "91.score: 99 outside 7..35", "91.wave: '7w' not one of ['12w', '6w', 'baseline']"]
    assert CATALOGUE.problems(51, {"reasons": "mental"}) == ["51.reasons: expected a list, got 'mental'"]
    assert CATALOGUE.problems(999, {}) == ["999 is not an Appendix Five statement"]


def test_the_benchmark_generator_emits_values_the_catalogue_accepts():
    import json
    import random

    for event in journey(random.Random(1), "x" * 32, 30):
        assert CATALOGUE.problems(event[0], json.loads(event[2])) == [], event


def test_the_active_offer_event_fits_its_shape():
    assert CATALOGUE.problems(13, {"language": "cy", "how": "wrote_in_welsh"}) == []


def test_coverage_lists_table2_first_in_each_question(capsys):
    assert main(["dataset", "coverage"]) == 0
    out = capsys.readouterr().out
    how_much = out.split("How much did we do?")[1].split("How well")[0].splitlines()
    assert [line.split()[1] for line in how_much[1:6]] == ["122", "123", "36", "51", "112"]
    assert all(line.split()[0] == "T2" for line in how_much[1:6])
    assert "automatic by language" in out
    assert re.search(r"\d+ of 125 statements collected; Table 2 measures: 15 of 15 \(not yet: none\)", out)
