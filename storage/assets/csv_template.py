"""The simple CSV template small organisations can fill in: one row per activity, turned into ORUK records.

Columns (see config/assets/template.csv and docs/readme-parts/assets.md); lists are separated by
semicolons. Only `id` and `name` are required; a postcode without coordinates is placed at the
postcode's centroid.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterator

from storage.places import Gazetteer

COLUMNS = (
    "id", "name", "name_cy", "description", "description_cy", "categories", "languages",
    "organisation_id", "organisation_name", "organisation_name_cy", "service_type",
    "cost", "cost_description", "cost_description_cy", "minimum_age", "maximum_age",
    "days", "opens_at", "closes_at", "when", "when_cy", "setting",
    "venue", "venue_cy", "address", "town", "region", "postcode", "latitude", "longitude",
    "wheelchair", "accessibility", "accessibility_cy", "transport", "transport_cy",
    "phone", "email", "website", "status",
)
REQUIRED = ("id", "name")
YES = {"yes", "y", "true", "1", "ie", "oes", "ydy"}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def row_to_record(row: dict[str, str], gazetteer: Gazetteer | None) -> dict[str, Any]:
    """One template row as an ORUK service object (validation happens in parse_service)."""
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731 - a local shorthand
    service_id = get("id")
    record: dict[str, Any] = {
        "id": service_id, "name": get("name"), "name_cy": get("name_cy") or None,
        "description": get("description") or None, "description_cy": get("description_cy") or None,
        "status": get("status") or "active", "email": get("email") or None, "url": get("website") or None,
        "minimum_age": get("minimum_age") or None, "maximum_age": get("maximum_age") or None,
        "setting": get("setting") or None,
    }
    if get("phone"):
        record["phones"] = [{"id": f"{service_id}-phone", "number": get("phone")}]
    if get("organisation_name") or get("organisation_id"):
        record["organization"] = {
            "id": get("organisation_id") or f"{service_id}-org", "name": get("organisation_name") or get("name"),
            "name_cy": get("organisation_name_cy") or None, "service_type": get("service_type") or None,
        }
    record["attributes"] = [
        {"id": f"{service_id}-cat-{code}", "taxonomy_term": {"id": f"cyswllt-{code}", "code": code,
                                                             "name": code, "taxonomy": "cyswllt-categories"}}
        for code in _split(get("categories"))
    ]
    record["languages"] = [{"id": f"{service_id}-lang-{code}", "code": code} for code in _split(get("languages"))]
    if get("cost") or get("cost_description"):
        record["cost_options"] = [{
            "id": f"{service_id}-cost", "amount": get("cost") or None,
            "option": get("cost_description") or None, "option_cy": get("cost_description_cy") or None,
        }]
    if get("days") or get("when"):
        record["schedules"] = [{
            "id": f"{service_id}-schedule", "freq": "WEEKLY", "byday": ",".join(_split(get("days").upper())),
            "opens_at": get("opens_at") or None, "closes_at": get("closes_at") or None,
            "description": get("when") or None, "description_cy": get("when_cy") or None,
        }]
    latitude, longitude = get("latitude"), get("longitude")
    if get("postcode") and not (latitude and longitude) and gazetteer is not None:
        place = gazetteer.lookup(get("postcode"))
        if place is not None:
            latitude, longitude = str(place.latitude), str(place.longitude)
    if any(get(k) for k in ("venue", "address", "town", "postcode", "latitude")):
        wheelchair = get("wheelchair").casefold()
        record["service_at_locations"] = [{
            "id": f"{service_id}-sal",
            "location": {
                "id": f"{service_id}-location", "name": get("venue") or None, "name_cy": get("venue_cy") or None,
                "latitude": latitude or None, "longitude": longitude or None,
                "transport": get("transport") or None, "transport_cy": get("transport_cy") or None,
                "addresses": [{"id": f"{service_id}-address", "address_1": get("address") or None,
                               "city": get("town") or None, "region": get("region") or None,
                               "postal_code": get("postcode") or None, "country": "GB"}],
                "accessibility": [{
                    "id": f"{service_id}-access", "description": get("accessibility") or None,
                    "description_cy": get("accessibility_cy") or None,
                    "wheelchair": (wheelchair in YES) if wheelchair else None,
                }],
            },
        }]
    return record


def read_csv_records(path: Path, gazetteer: Gazetteer | None) -> Iterator[dict[str, Any]]:
    """Every row of a template CSV as an ORUK record; a file missing required columns is refused."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: the CSV template needs the column(s) {', '.join(missing)}")
        for row in reader:
            yield row_to_record(row, gazetteer)
