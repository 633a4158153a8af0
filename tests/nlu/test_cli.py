"""`cyswllt nlu parse` and `cyswllt nlu evaluate` print what the issue promises."""
from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.nlu_backends import cache_dir
from bot.settings import load_settings


@pytest.fixture(autouse=True)
def _cache(monkeypatch):
    # The models every test's app reads (keyed by a hash of their data), not trained again here.
    monkeypatch.setenv("CYSWLLT_NLU_CACHE_DIR", str(cache_dir(load_settings(environ={}))))


def test_parse_prints_json(capsys):
    assert main(["nlu", "parse", "--backend", "embedded", "--lang", "cy", "oes côr yng Nghaerdydd?"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intent"] == "find_activity"
    assert 0 < out["confidence"] <= 1
    assert {"entity": "location", "value": "Caerdydd", "start": 12, "end": 22} in out["entities"]
    assert set(out["entities"][0]) == {"entity", "value", "start", "end"}


def test_parse_keeps_welsh_diacritics(capsys):
    main(["nlu", "parse", "--backend", "embedded", "--lang", "cy", "ym Mhen-y-bont ar Ogwr"])
    assert "Pen-y-bont ar Ogwr" in capsys.readouterr().out


def test_evaluate_json(capsys, tmp_path):
    data = tmp_path / "mini.yml"
    data.write_text('version: "3.1"\nnlu:\n- intent: thanks\n  examples: |\n    - diolch yn fawr\n'
                    '- intent: find_activity\n  examples: |\n    - oes [côr](activity) ym [Mangor](location)\n',
                    encoding="utf-8")
    assert main(["nlu", "evaluate", "--backend", "embedded", "--lang", "cy", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"macro_f1", "per_intent", "entity_f1", "latency_ms"}
    assert set(out["per_intent"]["thanks"]) == {"precision", "recall", "f1", "support"}
    assert set(out["latency_ms"]) == {"p50", "p99"}
    assert out["macro_f1"] == 1.0 and out["entity_f1"] == 1.0


def test_evaluate_text_table(capsys):
    assert main(["nlu", "evaluate", "--backend", "embedded", "--lang", "en", "nlu/en/test.yml"]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "risk" in out and "p99" in out


def test_evaluate_missing_file_names_it(capsys):
    assert main(["nlu", "evaluate", "--backend", "embedded", "--lang", "en", "nope.yml"]) == 2
    assert "nope.yml" in capsys.readouterr().err
