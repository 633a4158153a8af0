"""Importing Open Referral UK 3.0 JSON and the CSV template: valid, invalid, mixed, re-import, export."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, text

from storage.assets.export import export_document
from storage.assets.repository import SAMPLE_DIRECTORY, import_file, import_records
from storage.assets.search import SearchRequest, find
from storage.models import (
    AssetLocation, AssetOrganization, AssetSchedule, AssetService, AssetServiceTaxonomy,
)
from storage.places import default_gazetteer

# Copies of Open Referral UK's own examples (CC BY-SA 4.0), kept with the tests so they run anywhere.
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def service(id_, name="Garden club", **extra):
    record = {
        "id": id_, "name": name, "name_cy": extra.pop("name_cy", "Clwb garddio"),
        "description": "Grow vegetables together", "description_cy": "Tyfu llysiau gyda'n gilydd",
        "organization": {"id": "org-1", "name": "Growers", "service_type": "voluntary_sector"},
        "schedules": [{"id": "s1", "byday": "TU,SA", "opens_at": "10:00", "closes_at": "12:00"}],
        "languages": [{"id": "l1", "code": "cy"}, {"id": "l2", "code": "en"}],
        "cost_options": [{"id": "c1", "amount": 0, "option": "Free"}],
        "attributes": [{"id": "a1", "taxonomy_term": {"id": "cyswllt-green", "code": "green", "name": "green"}}],
        "service_at_locations": [{"id": "sal1", "location": {
            "id": f"loc-{id_}", "name": "Allotments", "latitude": 53.05, "longitude": -2.99,
            "addresses": [{"id": "ad1", "address_1": "1 Road", "city": "Wrexham", "postal_code": "LL11 1AA"}],
            "accessibility": [{"id": "ac1", "description": "Wheelchair accessible paths"}],
        }}],
    }
    record.update(extra)
    return record


def test_the_sample_directory_imports_and_re_imports_as_updates(app):
    with app.sessions.begin() as session:
        first = import_file(session, SAMPLE_DIRECTORY, source="sample")
    with app.sessions.begin() as session:
        again = import_file(session, SAMPLE_DIRECTORY, source="sample")
        assert session.scalar(select(text("count(*)")).select_from(AssetService)) == first.created
    assert first.created >= 60 and not first.rejected
    assert again.updated == first.created and again.created == 0 and not again.rejected


def test_the_sample_directory_covers_every_category_and_five_regions(app):
    with app.sessions.begin() as session:
        import_file(session, SAMPLE_DIRECTORY, source="sample")
        services = session.scalars(select(AssetService)).all()
        regions = set(session.scalars(select(AssetLocation.region)))
        categories = {c for s in services for c in s.category_list()}
        assert {"north", "mid", "west", "south-west", "south-east"} <= regions
        assert {"green", "blue", "creative", "social", "physical_activity", "learning_skills", "money_advice",
                "carers", "children_families", "older_people", "volunteering"} <= categories
        assert all(s.name_cy and s.description_cy for s in services), "every sample asset is bilingual"
        assert any(s.welsh_medium and not s.bilingual for s in services)
        assert any(s.free for s in services) and any(s.wheelchair for s in services)
        assert any(s.maximum_age and s.maximum_age <= 17 for s in services)
        assert all(s.source == "sample" for s in services)


def test_invalid_records_are_reported_with_id_and_reason_and_the_rest_import(app):
    records = [
        service("good-1"),
        service("bad-name", name=""),
        service("bad-ages", minimum_age=70, maximum_age=12),
        service("bad-day", schedules=[{"id": "s", "byday": "XX"}]),
        "not an object",
        {"name": "no id"},
        service("bad-lat", service_at_locations=[{"id": "x", "location": {"id": "l", "latitude": 100}}]),
        service("good-2", name="Walking club"),
    ]
    with app.sessions.begin() as session:
        report = import_records(session, records)
    reasons = dict(report.rejected)
    assert report.created == 2
    assert "name is missing" in reasons["bad-name"]
    assert "minimum_age 70 is above maximum_age 12" in reasons["bad-ages"]
    assert "unknown day" in reasons["bad-day"]
    assert "must be a JSON object" in reasons["#5"]
    assert "has no id" in reasons["#6"]
    assert "latitude out of range" in reasons["bad-lat"]
    assert report.summary() == "2 imported (2 new, 0 updated), 6 rejected"


def test_re_import_replaces_a_record_without_duplicating_its_parts(app):
    with app.sessions.begin() as session:
        import_records(session, [service("garden")])
    changed = service("garden", name="Community garden", schedules=[{"id": "s9", "byday": "WE"}])
    with app.sessions.begin() as session:
        report = import_records(session, [changed])
    assert (report.created, report.updated) == (0, 1)
    with app.sessions() as session:
        row = session.get(AssetService, "garden")
        assert row.name == "Community garden" and row.days == "WE"
        assert session.scalar(select(text("count(*)")).select_from(AssetSchedule)) == 1
        assert session.scalar(select(text("count(*)")).select_from(AssetServiceTaxonomy)) == 1
        assert session.scalar(select(text("count(*)")).select_from(AssetOrganization)) == 1
        # The full-text index follows the new name, on SQLite (triggers) and PostgreSQL (index).
        assert [h.id for h in find(session, SearchRequest(terms=("community",)))] == ["garden"]


def test_derived_facts_come_from_the_oruk_parts(app):
    with app.sessions.begin() as session:
        import_records(session, [service("garden")])
    with app.sessions() as session:
        row = session.get(AssetService, "garden")
        assert row.categories == "green" and row.welsh_medium and row.bilingual and row.free
        assert row.wheelchair and row.days == "TU SA" and row.town == "Wrexham" and row.town_cy == "Wrecsam"


def test_an_api_dump_folder_of_pages_imports(app, tmp_path):
    for number, ids in enumerate((["p1", "p2"], ["p3"]), start=1):
        page = {"total_items": 3, "page_number": number, "contents": [service(i) for i in ids]}
        (tmp_path / f"page{number}.json").write_text(json.dumps(page), encoding="utf-8")
    with app.sessions.begin() as session:
        report = import_file(session, tmp_path)
    assert report.created == 3


def test_the_open_referral_example_feed_is_read(app):
    # The validator's mock feed; its one service repeats with the same id (so: updates).
    feed = FIXTURES / "oruk_validator_service_list_data.json"
    with app.sessions.begin() as session:
        report = import_file(session, feed)
    assert report.imported >= 1 and not report.rejected
    # The profile's own example has placeholder coordinates (latitude 100): refused, and said why.
    with app.sessions.begin() as session:
        report = import_file(session, FIXTURES / "oruk_uk_profile_service_full.json")
    assert report.rejected and "latitude out of range (100.0)" in report.rejected[0][1]


def test_the_csv_template_imports_with_postcode_centroids(app, tmp_path):
    path = Path(__file__).resolve().parents[2] / "config" / "assets" / "template.csv"
    with app.sessions.begin() as session:
        report = import_file(session, path, default_gazetteer())
    assert report.created == 2 and not report.rejected
    with app.sessions() as session:
        knit = session.get(AssetService, "example-neath-knit")
        assert knit.latitude and knit.wheelchair and knit.setting == "indoors" and not knit.free
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,minimum_age,days\nok-1,Choir,,MO\nbad-1,,,\nbad-2,Yoga,abc,\n", encoding="utf-8")
    with app.sessions.begin() as session:
        report = import_file(session, bad, default_gazetteer())
    assert report.created == 1
    assert dict(report.rejected) == {"bad-1": "name is missing", "bad-2": "minimum_age is not a whole number ('abc')"}


def test_export_writes_oruk_that_imports_back_the_same(app, tmp_path):
    with app.sessions.begin() as session:
        import_records(session, [service("garden"), service("walks", name="Walks")])
    with app.sessions() as session:
        document = export_document(session)
    assert document["total_items"] == 2
    garden = next(s for s in document["contents"] if s["id"] == "garden")
    assert garden["name_cy"] == "Clwb garddio"
    assert garden["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "LL11 1AA"
    assert garden["attributes"][0]["taxonomy_term"]["code"] == "green"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with app.sessions.begin() as session:
        report = import_file(session, path)
    assert (report.updated, report.rejected) == (2, [])
    with app.sessions() as session:
        assert export_document(session)["contents"] == document["contents"]
