"""Places in Wales: towns by Welsh or English name (also mutated), postcodes, districts and distances.

The data ships in config/data/ (OS Open Names places, ONS postcode centroids; see ATTRIBUTION.md).
Welsh place names change their first letter after some words ("yng Nghaerdydd", "ym Mangor",
"i Gaerdydd"), so a name that is not found is tried again in its radical (dictionary) forms.
"""
from __future__ import annotations

import csv
import difflib
import gzip
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from config import config_path
from nlu.mutations import radical_forms
from nlu.text import key as fold

DATA_DIR = config_path("data")
PLACES_FILE = DATA_DIR / "gazetteer_places_wales.csv"
DISTRICTS_FILE = DATA_DIR / "postcode_districts.csv"
POSTCODES_FILE = DATA_DIR / "postcodes_wales.csv.gz"
# Everyday short names ("Merthyr", "Ponty", "Aber") -> the place's name; the NLU reads the same file.
ALIASES_FILE = DATA_DIR / "place_aliases.yml"

# When one name belongs to several places, the bigger kind is meant ("Newport" is the city).
TYPE_RANK = {"City": 0, "Town": 1, "Village": 2, "Suburban Area": 3, "Postcode": 4}

FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
EARTH_RADIUS_KM = 6371.0088

@dataclass(frozen=True)
class Place:
    """A place a person named: where it is and what to call it in each language."""

    name_en: str
    name_cy: str
    kind: str
    latitude: float
    longitude: float
    district: str = ""
    authority_en: str = ""
    authority_cy: str = ""

    def name(self, language: str) -> str:
        return (self.name_cy or self.name_en) if language == "cy" else self.name_en


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def normalise_postcode(text: str) -> str | None:
    """'cf10 1aa' -> 'CF10 1AA'; a district 'll57' -> 'LL57'; anything else None."""
    compact = re.sub(r"\s+", "", text.upper())
    if match := FULL_POSTCODE.match(compact):
        return f"{match.group(1)} {match.group(2)}"
    if DISTRICT.match(compact):
        return compact
    return None


class Gazetteer:
    """Looks places up by name (Welsh, English, mutated) or postcode, and suggests near misses."""

    def __init__(self, places: list[Place], districts: dict[str, Place], postcodes_file: Path | None,
                 aliases: dict[str, str] | None = None):
        self._by_key: dict[str, Place] = {}
        for place in sorted(places, key=lambda p: TYPE_RANK.get(p.kind, 9)):
            for name in (place.name_en, place.name_cy):
                if name:
                    key = fold(name)
                    self._by_key.setdefault(key, place)
                    # "Y Bala", "Yr Wyddgrug": people often leave the article out.
                    article, _, rest = key.partition(" ")
                    if article in ("y", "yr") and rest:
                        self._by_key.setdefault(rest, place)
        # Aliases win over a smaller place that carries the short name (there is a hamlet called Merthyr).
        for alias, name in (aliases or {}).items():
            if (place := self._by_key.get(fold(name))) is not None:
                self._by_key[fold(alias)] = place
        self._districts = districts
        self._postcodes_file = postcodes_file
        self._postcodes: dict[str, tuple[float, float]] | None = None
        # Towns and cities are offered as suggestions before villages.
        self._suggestible = [k for k, p in self._by_key.items() if p.kind in ("City", "Town")]
        self._all_keys = list(self._by_key)
        self.max_words = max(len(k.split()) for k in self._by_key) if self._by_key else 1

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> "Gazetteer":
        places = []
        with (data_dir / PLACES_FILE.name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                places.append(Place(row["name_en"], row["name_cy"], row["type"], float(row["latitude"]),
                                    float(row["longitude"]), row["postcode_district"],
                                    row["authority_en"], row["authority_cy"]))
        districts = {}
        with (data_dir / DISTRICTS_FILE.name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                districts[row["district"]] = Place(row["district"], row["district"], "Postcode",
                                                   float(row["latitude"]), float(row["longitude"]),
                                                   row["district"])
        postcodes = data_dir / POSTCODES_FILE.name
        aliases_file = data_dir / ALIASES_FILE.name
        aliases = yaml.safe_load(aliases_file.read_text(encoding="utf-8")) if aliases_file.exists() else {}
        return cls(places, districts, postcodes if postcodes.exists() else None, aliases or {})

    # ---------------------------------------------------------------- lookups

    def lookup(self, text: str) -> Place | None:
        """The place this name or postcode means, or None."""
        if not text or not text.strip():
            return None
        if postcode := normalise_postcode(text):
            return self.postcode(postcode)
        key = fold(text)
        if key in self._by_key:
            return self._by_key[key]
        first, _, rest = key.partition(" ")
        for form in radical_forms(first)[1:]:
            candidate = f"{form} {rest}".strip()
            if candidate in self._by_key:
                return self._by_key[candidate]
        return None

    def postcode(self, postcode: str) -> Place | None:
        """A full postcode's own centroid (falling back to its district), or a district's."""
        if " " not in postcode:
            return self._districts.get(postcode)
        point = self._full_postcodes().get(postcode.replace(" ", ""))
        if point is not None:
            return Place(postcode, postcode, "Postcode", point[0], point[1], postcode.split()[0])
        return self._districts.get(postcode.split()[0])

    def suggest(self, text: str, limit: int = 3) -> list[Place]:
        """The closest names to one we did not recognise (towns first), for 'did you mean'."""
        key = fold(text)
        forms = radical_forms(key.split()[0]) if key else []
        seen: list[Place] = []
        for pool in (self._suggestible, self._all_keys):
            for form in forms or [key]:
                candidate = (form + key[len(key.split()[0]):]) if key else form
                for match in difflib.get_close_matches(candidate, pool, n=limit, cutoff=0.7):
                    place = self._by_key[match]
                    if place not in seen:
                        seen.append(place)
            if len(seen) >= limit:
                break
        return seen[:limit]

    def is_known_name(self, text: str) -> bool:
        return self.lookup(text) is not None

    def _full_postcodes(self) -> dict[str, tuple[float, float]]:
        # 180,000 postcodes: read once, only when someone first gives a full postcode.
        if self._postcodes is None:
            table: dict[str, tuple[float, float]] = {}
            if self._postcodes_file is not None:
                with gzip.open(self._postcodes_file, "rt", encoding="utf-8") as handle:
                    next(handle)
                    for line in handle:
                        code, lat, lon = line.rstrip("\n").split(",")
                        if lat and lon:  # a few terminated postcodes have no centroid
                            table[code.replace(" ", "")] = (float(lat), float(lon))
            self._postcodes = table
        return self._postcodes


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return Gazetteer.load()
