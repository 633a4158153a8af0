"""Names set into Welsh text are mutated (issue 20 item 11), tested on the project's own names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.catalog import Catalog
from flows.base import Say
from nlu import gazetteer
from nlu.mutations import mutate, radical_forms

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name, mutation, expected", [
    ("Cyswllt", "soft", "Gyswllt"), ("Cyswllt", "aspirate", "Chyswllt"), ("dydd Iau", "soft", "ddydd Iau"),
    ("Cylch Canu Bangor", "soft", "Gylch Canu Bangor"), ("Caerdydd", "nasal", "Nghaerdydd"),
    ("Caernarfon", "soft", "Gaernarfon"), ("Caerfyrddin", "nasal", "Nghaerfyrddin"), ("Bangor", "nasal", "Mangor"),
    ("Teithiau Llesiant Wrecsam", "soft", "Deithiau Llesiant Wrecsam"), ("Llandudno", "soft", "Landudno"),
    ("Rhyl", "soft", "Ryl"), ("Pen-y-bont ar Ogwr", "nasal", "Mhen-y-bont ar Ogwr"),
    ("Aberystwyth", "soft", "Aberystwyth"), ("North Shore Sea Swimmers", "soft", "North Shore Sea Swimmers"),
])
def test_mutate_the_first_letters_only(name, mutation, expected):
    assert mutate(name, mutation) == expected


def _project_names() -> list[str]:
    names = [p.name_cy for p in gazetteer.places() if p.name_cy][:400]
    names += [name for a in gazetteer.activities() for name in a.cy]
    directory = json.loads((ROOT / "config" / "assets" / "sample_directory.json").read_text(encoding="utf-8"))
    records = directory if isinstance(directory, list) else next(v for v in directory.values() if isinstance(v, list))
    names += [r.get("name_cy") or r.get("name") for r in records if isinstance(r, dict) and (r.get("name_cy") or r.get("name"))]
    return [n for n in names if n]


def test_every_mutated_project_name_reads_back_to_its_radical():
    names = _project_names()
    assert len(names) > 50
    for name in names:
        first = name.split()[0]
        for mutation in ("soft", "nasal", "aspirate"):
            mutated = mutate(name, mutation)
            assert mutated.split()[1:] == name.split()[1:], (name, mutation)   # only the first word changes
            if mutated != name:
                assert radical_forms(first)[0] in radical_forms(mutated.split()[0]), (name, mutation, mutated)


def test_the_catalog_mutates_names_in_welsh_and_leaves_english_alone():
    catalog = Catalog.load()
    reply = Say("nudge.question", n=12, who="Sam", name="Sam", activity="Cylch Canu Bangor", day="dydd Iau 5 Mawrth")
    assert catalog.render(reply, "cy").body == "Atgyfeiriad 12 (Sam): a aeth Sam i Gylch Canu Bangor ar ddydd Iau 5 Mawrth?"
    assert "Cylch Canu Bangor" in catalog.render(reply, "en").body
    assert "Croeso i Gyswllt" in catalog.render(Say("offer.welsh_detected"), "cy").body
