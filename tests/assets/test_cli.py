"""`cyswllt assets import|export|search` on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path

from bot.cli import main

TEMPLATE = Path(__file__).resolve().parents[2] / "config" / "assets" / "template.csv"


def test_search_prints_json_results_with_the_documented_fields(database_url, capsys):
    assert main(["assets", "--db", database_url, "search", "walking group in Wrexham", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["id"] == "sample-wrexham-walking"
    assert {"id", "name", "distance_km", "categories", "welsh_medium"} <= set(results[0])
    assert results[0]["distance_km"] < 1 and "green" in results[0]["categories"]


def test_search_in_welsh_reads_mutations_and_says_how_it_widened(database_url, capsys):
    assert main(["assets", "--db", database_url, "search", "ioga yn Ninbych-y-Pysgod", "--lang", "cy"]) == 0
    out = capsys.readouterr().out
    assert "ymhellach i ffwrdd" in out and "Ioga Cadair Casnewydd" in out
    main(["assets", "--db", database_url, "search", "côr yn Llandidno", "--lang", "cy"])
    assert "Llandudno" in capsys.readouterr().out


def test_import_prints_a_summary_and_rejections_then_export_round_trips(database_url, tmp_path, capsys):
    bad = tmp_path / "mixed.json"
    bad.write_text(json.dumps([{"id": "ok-1", "name": "Choir"}, {"id": "bad-1"}]), encoding="utf-8")
    assert main(["assets", "--db", database_url, "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "rejected bad-1: name is missing" in out and "1 imported (1 new, 0 updated), 1 rejected" in out
    assert main(["assets", "--db", database_url, "import", str(TEMPLATE)]) == 0
    assert "2 imported (2 new, 0 updated), 0 rejected" in capsys.readouterr().out
    exported = tmp_path / "export.json"
    assert main(["assets", "--db", database_url, "export", "-o", str(exported)]) == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert {s["id"] for s in document["contents"]} == {"ok-1", "example-llanrwst-walk", "example-neath-knit"}
    assert main(["assets", "--db", database_url, "import", str(exported)]) == 0
    assert "3 imported (0 new, 3 updated)" in capsys.readouterr().out


def test_an_unreadable_file_is_named(database_url, tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["assets", "--db", database_url, "import", str(broken)]) == 2
    assert "broken.json could not be read" in capsys.readouterr().err
    assert main(["assets", "--db", database_url, "import", str(tmp_path / "missing.json")]) == 2
