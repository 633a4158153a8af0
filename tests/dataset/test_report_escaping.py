"""The HTML report escapes every value that reaches the page, whatever an imported directory holds."""
from __future__ import annotations

import csv
from datetime import datetime, timezone

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Session

from bot.cli import main
from storage.db import make_engine
from storage.models import AssetLocation, AssetOrganization, AssetService, DataSetEvent

TEMPLATE = "config/assets/template.csv"
# Columns with a fixed vocabulary or a format the importer checks keep a valid value.
CHECKED = {"id", "categories", "languages", "service_type", "cost", "minimum_age", "maximum_age", "days",
           "opens_at", "closes_at", "setting", "postcode", "latitude", "longitude", "wheelchair", "email",
           "website", "status", "organisation_id", "phone"}


def payload(name: str) -> str:
    return f'<img src=x onerror=alert("{name}")><script>alert(1)</script>&amp;"\''


def _hostile_directory(tmp_path):
    with open(TEMPLATE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = dict(rows[0])
    for column in row:
        if column not in CHECKED:
            row[column] = payload(column)
    row["id"] = "hostile"
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


def _imported_texts(engine) -> list[str]:
    texts = []
    with Session(engine) as session:
        for model in (AssetService, AssetLocation, AssetOrganization):
            table = model.__table__
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            for row in session.execute(select(*columns)).all():
                texts += [v for v in row if isinstance(v, str) and "<" in v]
    return texts


def test_markup_in_every_text_field_of_an_imported_directory_is_escaped(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", database_url)
    assert main(["assets", "import", str(_hostile_directory(tmp_path))]) == 0
    engine = make_engine(database_url)
    texts = _imported_texts(engine)
    assert len(texts) >= 10, "the importer kept the markup (as it should: it is text)"
    when = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)
    events = []
    for n, text in enumerate(texts):
        subject = f"{n:032d}"
        # What choosing the asset records (flows/asset_search.py), with the imported text in every string.
        events += [
            (112, subject, {"service_id": text, "activity_types": [text], "green_prescribing": True,
                            "local_authority": "", "region": text, "kind": "referred"}),
            (41, subject, {"route": text}), (36, subject, {"age_band": text, "postcode_area": text}),
            (51, subject, {"reasons": [text]}), (108, subject, {"themes": [text]}), (80, subject, {"barriers": [text]}),
            (13, subject, {"language": text, "how": text}),
            (91, subject, {"instrument": text, "wave": "baseline", "score": 20}),
        ]
    with Session(engine) as session, session.begin():
        session.add_all(DataSetEvent(statement=s, subject_key=k, value=v, occurred_at=when, channel="sms",
                                     language="en", source="test") for s, k, v in events)
    engine.dispose()
    out = tmp_path / "report.html"
    assert main(["report", "--from", "2026-03-02", "--to", "2026-03-15", "--out", str(out),
                 "--lang", "both"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<script>" not in page, "markup from the directory reached the page"
    assert "&lt;img src=x onerror=alert(" in page, "the text itself is shown, escaped"
    assert "&amp;amp;" in page   # an "&amp;" typed in the directory shows as typed
