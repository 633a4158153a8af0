"""The Open Referral UK export validates: every exported service against the ORUK 3.0 UK profile's
compiled service schema (a copy kept with the tests, CC BY-SA 4.0; see fixtures/ATTRIBUTION.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.assets.export import export_document
from storage.assets.repository import ensure_sample_directory, import_file
from storage.places import default_gazetteer

jsonschema = pytest.importorskip("jsonschema")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA = json.loads((FIXTURES / "oruk_uk_profile_service_schema.json").read_text(encoding="utf-8"))
TEMPLATE = Path(__file__).resolve().parents[2] / "config" / "assets" / "template.csv"


def invalid(services: list[dict]) -> dict[str, list[str]]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    problems = {}
    for service in services:
        errors = [f"{'/'.join(map(str, e.absolute_path)) or '(service)'}: {e.message[:140]}"
                  for e in validator.iter_errors(service)]
        if errors:
            problems[service["id"]] = sorted(set(errors))
    return problems


def _exported(app) -> list[dict]:
    with app.sessions() as session:
        return export_document(session)["contents"]


def test_every_sample_service_validates(app):
    with app.sessions.begin() as session:
        ensure_sample_directory(session)
    services = _exported(app)
    assert len(services) >= 60
    assert invalid(services) == {}


def test_every_service_of_an_imported_feed_and_the_csv_template_validates(app):
    with app.sessions.begin() as session:
        assert not import_file(session, FIXTURES / "oruk_validator_service_list_data.json").rejected
        assert not import_file(session, TEMPLATE, default_gazetteer()).rejected
    services = _exported(app)
    assert len(services) >= 3
    assert invalid(services) == {}
