"""The places and activities the NLU recognises: loaded from config/data, derived from open data.

`python -m nlu.gazetteer` re-derives `config/data/wales_places.csv` from the OS Open Names extract
and rewrites the Rasa lookup and synonym files `nlu/<lang>/lookups.yml`.
"""
from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from config import config_path
from nlu import mutations

PLACES_CSV = config_path("data", "wales_places.csv")
ACTIVITIES_YML = config_path("data", "activities.yml")
ALIASES_YML = config_path("data", "place_aliases.yml")
SOURCE_CSV = Path("/work/shared/data/wales_populated_places_os_open_names.csv")

# When two places share a name (Newport is a city and a Pembrokeshire town) the bigger one wins.
TYPE_RANK = {"City": 0, "Town": 1, "Village": 2, "Other Settlement": 3, "Suburban Area": 4, "Hamlet": 5}
PLACE_FIELDS = ("canonical", "name_cy", "name_en", "local_type", "latitude", "longitude",
                "postcode_district", "local_authority_cy", "local_authority_en")


@dataclass(frozen=True)
class Place:
    canonical: str
    name_cy: str
    name_en: str
    local_type: str
    latitude: float
    longitude: float
    postcode_district: str
    local_authority_cy: str
    local_authority_en: str

    def names(self) -> set[str]:
        return {n for n in (self.canonical, self.name_cy, self.name_en) if n}


@dataclass(frozen=True)
class Activity:
    canonical: str
    en: tuple[str, ...]
    cy: tuple[str, ...]


def derive_places(source: Path, target: Path) -> int:
    """Write one row per distinct place name; the canonical name is the Welsh one where there is one."""
    with source.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: TYPE_RANK.get(r["local_type"], 9))
    seen: set[str] = set()
    out = []
    for r in rows:
        canonical = r["name_cy"] or r["name"]
        name_en = r["name_en"] or (r["name"] if not r["name_cy"] else "")
        key = canonical.lower()
        if key in seen:
            continue
        seen.add(key)
        out.append({
            "canonical": canonical, "name_cy": r["name_cy"], "name_en": name_en,
            "local_type": r["local_type"], "latitude": r["latitude"], "longitude": r["longitude"],
            "postcode_district": r["postcode_district"], "local_authority_cy": r["local_authority_cy"],
            "local_authority_en": r["local_authority_en"],
        })
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=PLACE_FIELDS)
        writer.writeheader()
        writer.writerows(out)
    return len(out)


@lru_cache(maxsize=4)
def places(path: Path = PLACES_CSV) -> tuple[Place, ...]:
    """Every known place, biggest first."""
    try:
        with path.open(encoding="utf-8") as fh:
            return tuple(
                Place(**{**r, "latitude": float(r["latitude"]), "longitude": float(r["longitude"])})
                for r in csv.DictReader(fh)
            )
    except FileNotFoundError:
        raise FileNotFoundError(f"place list {path} is missing: run python -m nlu.gazetteer") from None


@lru_cache(maxsize=4)
def activities(path: Path = ACTIVITIES_YML) -> tuple[Activity, ...]:
    """Every known activity with its English and Welsh names."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Activity(canonical=key, en=tuple(v.get("en", [])), cy=tuple(v.get("cy", [])))
        for key, v in data["activities"].items()
    )


@lru_cache(maxsize=4)
def place_aliases(path: Path = ALIASES_YML) -> dict[str, str]:
    """Everyday short names (Merthyr) -> canonical place names; checked against the place list."""
    aliases = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = {p.canonical for p in places()}
    unknown = sorted(v for v in aliases.values() if v not in known)
    if unknown:
        raise ValueError(f"{path}: aliases point at unknown places {unknown}")
    return aliases


def place_by_canonical(canonical: str) -> Place | None:
    """The full record (names in both languages, coordinates) for a canonical place name."""
    return next((p for p in places() if p.canonical == canonical), None)


def write_rasa_lookups(lang: str, directory: Path) -> Path:
    """Rasa lookup tables (all names) and synonyms (mutated and translated forms -> canonical)."""
    del lang  # the same tables serve both languages: people mix place names freely
    acts = activities()
    place_list = places()
    big = [p for p in place_list if p.local_type in ("City", "Town")]
    loc_names = sorted({n for p in place_list for n in p.names()})
    act_names = sorted({n for a in acts for n in (a.en + a.cy)})
    parts = [_item("lookup", "location", loc_names), _item("lookup", "activity", act_names)]
    for p in big:
        forms = {p.name_en} if p.name_en else set()
        welsh = p.name_cy or p.canonical
        forms |= {welsh} | mutations.mutated_forms(welsh)
        forms.discard(p.canonical)
        if forms:
            parts.append(_item("synonym", p.canonical, sorted(forms)))
    for a in acts:
        forms = set(a.en)
        for name in a.cy:
            forms |= mutations.mutated_forms(name) | {name}
        forms.discard(a.canonical)
        if forms:
            parts.append(_item("synonym", a.canonical, sorted(forms)))
    target = directory / "lookups.yml"
    header = (
        "# Generated by `python -m nlu.gazetteer` from config/data: do not edit by hand.\n"
        "# Contains Ordnance Survey data © Crown copyright and database right 2019 (OGL v3.0).\n"
        'version: "3.1"\nnlu:\n'
    )
    target.write_text(header + "".join(parts), encoding="utf-8")
    return target


def _item(kind: str, name: str, examples: list[str]) -> str:
    lines = "".join(f"    - {e}\n" for e in examples)
    return f"- {kind}: {_quote(name)}\n  examples: |\n{lines}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE_CSV
    count = derive_places(source, PLACES_CSV)
    places.cache_clear()
    print(f"wrote {count} places to {PLACES_CSV}")
    for lang in ("en", "cy"):
        print(f"wrote {write_rasa_lookups(lang, Path(__file__).resolve().parent / lang)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
