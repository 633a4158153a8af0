"""Reading Open Referral UK 3.0 service records: validation and the facts search needs.

Cyswllt extension properties (all optional; ORUK readers ignore them): `name_cy` and
`description_cy` on service, organization, location; `setting` (indoors/outdoors/both/online) on
service; `service_type` (statutory/community_group/voluntary_sector) on organization;
`transport`/`transport_cy` on location; `description_cy` on schedule and accessibility;
`option_cy`/`amount_description_cy` on cost_option; `wheelchair` (true/false) on accessibility.
Categories are attributes whose taxonomy_term has our code (see CATEGORIES) or a known name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from nlu.text import key as fold
from storage.models.assets import CATEGORIES, SERVICE_TYPES, SETTINGS

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
WELSH_CODES = {"cy", "cym", "wel", "welsh", "cymraeg"}
ENGLISH_CODES = {"en", "eng", "english", "saesneg"}
# Terms other taxonomies use, mapped onto our categories (folded names).
CATEGORY_SYNONYMS = {
    "nature": "green", "gardening": "green", "outdoors": "green", "environment": "green",
    "water": "blue", "sea": "blue", "swimming": "blue", "coast": "blue",
    "arts": "creative", "art": "creative", "music": "creative", "crafts": "creative",
    "sport": "physical_activity", "exercise": "physical_activity", "physical activity": "physical_activity",
    "walking": "physical_activity", "learning": "learning_skills", "skills": "learning_skills",
    "education": "learning_skills", "money": "money_advice", "debt": "money_advice",
    "benefits": "money_advice", "advice": "money_advice", "carer": "carers",
    "children": "children_families", "families": "children_families", "family": "children_families",
    "older people": "older_people", "elderly": "older_people", "volunteer": "volunteering",
    "mental health": "mental_wellbeing", "wellbeing": "mental_wellbeing", "social": "social",
    "befriending": "social",
}


class InvalidRecord(ValueError):
    """A record that cannot be imported; the message says why."""


@dataclass
class ServiceData:
    """One validated service with everything hanging off it, ready to store."""

    id: str
    service: dict[str, Any]
    organization: dict[str, Any] | None
    locations: list[tuple[str | None, dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    languages: list[dict[str, Any]] = field(default_factory=list)
    cost_options: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)


def _text(value: Any, limit: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise InvalidRecord(f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    if limit is not None and len(text) > limit:
        raise InvalidRecord(f"text longer than {limit} characters: {text[:40]!r}...")
    return text or None


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidRecord(f"{name} is not a whole number ({value!r})") from None
    if number < 0 or number > 130:
        raise InvalidRecord(f"{name} out of range ({number})")
    return number


def _float(value: Any, name: str, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidRecord(f"{name} is not a number ({value!r})") from None
    if not low <= number <= high:
        raise InvalidRecord(f"{name} out of range ({number})")
    return number


def _id(value: Any, what: str) -> str:
    text = _text(value, 64) if value is not None else None
    if not text:
        raise InvalidRecord(f"{what} has no id")
    return text


def _list(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidRecord(f"{key} must be a list of objects")
    return value


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRecord(f"last_modified is not a date-time ({value!r})") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def category_of(term: dict) -> str | None:
    for candidate in (term.get("code"), term.get("term"), term.get("name")):
        if not isinstance(candidate, str):
            continue
        key = fold(candidate).replace("_", " ")
        if key.replace(" ", "_") in CATEGORIES:
            return key.replace(" ", "_")
        if key in CATEGORY_SYNONYMS:
            return CATEGORY_SYNONYMS[key]
    return None


def parse_service(record: Any) -> ServiceData:
    """Validate one ORUK service object; raises InvalidRecord naming the problem."""
    if not isinstance(record, dict):
        raise InvalidRecord("a service must be a JSON object")
    service_id = _id(record.get("id"), "the service")
    name = _text(record.get("name"), 255)
    if not name:
        raise InvalidRecord("name is missing")
    status = (_text(record.get("status")) or "active").lower()
    if status not in STATUSES:
        raise InvalidRecord(f"status {status!r} is not one of {', '.join(STATUSES)}")
    minimum_age = _int(record.get("minimum_age"), "minimum_age")
    maximum_age = _int(record.get("maximum_age"), "maximum_age")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise InvalidRecord(f"minimum_age {minimum_age} is above maximum_age {maximum_age}")
    setting = (_text(record.get("setting")) or "").lower()
    if setting and setting not in SETTINGS:
        raise InvalidRecord(f"setting {setting!r} is not one of {', '.join(SETTINGS)}")
    phones = _list(record, "phones")
    service = {
        "id": service_id, "name": name, "name_cy": _text(record.get("name_cy"), 255),
        "description": _text(record.get("description")), "description_cy": _text(record.get("description_cy")),
        "url": _text(record.get("url"), 500), "email": _text(record.get("email"), 255),
        "phone": _text(phones[0].get("number"), 64) if phones else None,
        "status": status, "fees": _text(record.get("fees_description") or record.get("fees")),
        "minimum_age": minimum_age, "maximum_age": maximum_age,
        "last_modified": _when(record.get("last_modified")), "setting": setting,
    }
    data = ServiceData(service_id, service, _organization(record.get("organization")))

    for sal in _list(record, "service_at_locations"):
        location = sal.get("location")
        if not isinstance(location, dict):
            raise InvalidRecord("a service_at_location has no location object")
        data.locations.append((_text(sal.get("id"), 64), *_location(location)))
    for schedule in _list(record, "schedules"):
        days = [d.strip().upper() for d in str(schedule.get("byday") or "").split(",") if d.strip()]
        bad = [d for d in days if d.lstrip("+-0123456789") not in DAY_CODES]
        if bad:
            raise InvalidRecord(f"schedule byday has unknown day(s) {', '.join(bad)}")
        data.schedules.append({
            "oruk_id": _text(schedule.get("id"), 64), "freq": _text(schedule.get("freq"), 16),
            "interval": _int(schedule.get("interval"), "schedule interval"),
            "byday": ",".join(d.lstrip("+-0123456789") for d in days) or None,
            "opens_at": _text(schedule.get("opens_at"), 8), "closes_at": _text(schedule.get("closes_at"), 8),
            "description": _text(schedule.get("description")), "description_cy": _text(schedule.get("description_cy")),
        })
    for language in _list(record, "languages"):
        data.languages.append({
            "oruk_id": _text(language.get("id"), 64), "code": _text(language.get("code"), 8),
            "name": _text(language.get("name"), 64), "note": _text(language.get("note")),
        })
    for cost in _list(record, "cost_options"):
        amount = _float(cost.get("amount"), "cost amount", 0, 1_000_000)
        data.cost_options.append({
            "oruk_id": _text(cost.get("id"), 64), "amount": amount,
            "option": _text(cost.get("option")), "option_cy": _text(cost.get("option_cy")),
            "amount_description": _text(cost.get("amount_description")),
            "amount_description_cy": _text(cost.get("amount_description_cy")),
        })
    for contact in _list(record, "contacts"):
        contact_phones = _list(contact, "phones")
        data.contacts.append({
            "oruk_id": _text(contact.get("id"), 64), "name": _text(contact.get("name"), 255),
            "title": _text(contact.get("title"), 255), "email": _text(contact.get("email"), 255),
            "phone": _text(contact_phones[0].get("number"), 64) if contact_phones else None,
        })
    for attribute in _list(record, "attributes"):
        term = attribute.get("taxonomy_term")
        if isinstance(term, dict):
            data.terms.append({
                "id": _id(term.get("id"), "a taxonomy_term"), "code": _text(term.get("code"), 64),
                "name": _text(term.get("name") or term.get("term") or term.get("code"), 255) or "?",
                "name_cy": _text(term.get("name_cy"), 255), "description": _text(term.get("description")),
                "taxonomy": _text(term.get("taxonomy"), 128), "parent_id": _text(term.get("parent_id"), 64),
            })
    return data


def _organization(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    if not isinstance(record, dict):
        raise InvalidRecord("organization must be an object")
    service_type = (_text(record.get("service_type")) or "community_group").lower()
    if service_type not in SERVICE_TYPES:
        raise InvalidRecord(f"organization service_type {service_type!r} is not one of {', '.join(SERVICE_TYPES)}")
    phones = _list(record, "phones")
    return {
        "id": _id(record.get("id"), "the organization"),
        "name": _text(record.get("name"), 255) or "?", "name_cy": _text(record.get("name_cy"), 255),
        "description": _text(record.get("description")), "description_cy": _text(record.get("description_cy")),
        "email": _text(record.get("email"), 255), "website": _text(record.get("website"), 500),
        "phone": _text(phones[0].get("number"), 64) if phones else None, "service_type": service_type,
    }


def _location(record: dict) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    addresses = _list(record, "addresses")
    address = addresses[0] if addresses else {}
    location = {
        "id": _id(record.get("id"), "a location"),
        "name": _text(record.get("name"), 255), "name_cy": _text(record.get("name_cy"), 255),
        "description": _text(record.get("description")), "description_cy": _text(record.get("description_cy")),
        "latitude": _float(record.get("latitude"), "latitude", -90, 90),
        "longitude": _float(record.get("longitude"), "longitude", -180, 180),
        "address_1": _text(address.get("address_1"), 255), "city": _text(address.get("city"), 128),
        "region": _text(address.get("region") or address.get("state_province"), 128),
        "postal_code": _text(address.get("postal_code"), 16),
        "transport": _text(record.get("transport")), "transport_cy": _text(record.get("transport_cy")),
    }
    access = []
    for item in _list(record, "accessibility"):
        description = _text(item.get("description") or item.get("accessibility"))
        wheelchair = item.get("wheelchair")
        if wheelchair is None:
            text = fold(description or "")
            wheelchair = "wheelchair" in text and not any(
                no in text for no in ("not suitable", "no wheelchair", "not wheelchair", "not accessible"))
        access.append({
            "oruk_id": _text(item.get("id"), 64), "description": description,
            "description_cy": _text(item.get("description_cy")), "details": _text(item.get("details")),
            "wheelchair": bool(wheelchair),
        })
    return location, access


def services_in(document: Any) -> Iterator[Any]:
    """The service records in an ORUK document: one service, a list, a page, or pages."""
    if isinstance(document, list):
        for item in document:
            if isinstance(item, dict) and "contents" in item:
                yield from services_in(item)
            else:
                yield item
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        yield from document["contents"]
    elif isinstance(document, dict) and isinstance(document.get("services"), list) and "name" in document:
        # An organization_full record carrying its services.
        organization = {k: v for k, v in document.items() if k != "services"}
        for service in document["services"]:
            if isinstance(service, dict) and not service.get("organization"):
                service = {**service, "organization": organization}
            yield service
    else:
        yield document


def read_json_records(path: Path) -> Iterator[Any]:
    """Every service record in a JSON file, or in every *.json file of a folder (an API dump)."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    for file in files:
        with file.open(encoding="utf-8") as handle:
            yield from services_in(json.load(handle))
