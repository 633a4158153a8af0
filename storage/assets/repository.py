"""Storing the directory: upserting validated ORUK records in batches, and the facts search filters on."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import config_path
from nlu.text import key as fold
from storage.assets.oruk import (
    ENGLISH_CODES, WELSH_CODES, InvalidRecord, ServiceData, category_of, parse_service, read_json_records,
)
from storage.places import default_gazetteer
from storage.models.assets import (
    AssetAccessibility, AssetContact, AssetCostOption, AssetLanguage, AssetLocation, AssetOrganization,
    AssetSchedule, AssetService, AssetServiceAtLocation, AssetServiceTaxonomy, AssetTaxonomyTerm,
)

SAMPLE_DIRECTORY = config_path("assets", "sample_directory.json")
BATCH = 500
# Words added to each service's search text so either language finds it by its category.
CATEGORY_WORDS = {
    "green": "green nature natur gwyrdd awyr agored", "blue": "blue water dwr glas mor",
    "creative": "creative arts celf creadigol", "social": "social cymdeithasol company cwmni",
    "physical_activity": "exercise activity ymarfer corff", "learning_skills": "learning skills dysgu sgiliau",
    "money_advice": "money advice arian cyngor", "carers": "carers gofalwyr",
    "children_families": "children families plant teuluoedd", "older_people": "older people pobl hyn",
    "volunteering": "volunteering gwirfoddoli", "mental_wellbeing": "wellbeing llesiant",
}


@dataclass
class ImportReport:
    """What an import did: how many were added or updated, and each rejected record with why."""

    created: int = 0
    updated: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        return (f"{self.imported} imported ({self.created} new, {self.updated} updated), "
                f"{len(self.rejected)} rejected")


def derived_facts(data: ServiceData) -> dict[str, Any]:
    """The filter facts copied onto the service row: categories, language, cost, access, days, place."""
    categories = list(dict.fromkeys(c for c in (category_of(t) for t in data.terms) if c))
    codes = {fold(l.get("code") or l.get("name") or "") for l in data.languages}
    welsh = bool(codes & WELSH_CODES)
    english = bool(codes & ENGLISH_CODES)
    free = any(c["amount"] == 0 for c in data.cost_options) or any(
        "free" in fold(c.get("option") or "") or "am ddim" in fold(c.get("option_cy") or "")
        for c in data.cost_options)
    wheelchair = any(a["wheelchair"] for _, _, access in data.locations for a in access)
    days = sorted({d for s in data.schedules for d in (s["byday"] or "").split(",") if d},
                  key=("MO", "TU", "WE", "TH", "FR", "SA", "SU").index)
    located = next(((loc["latitude"], loc["longitude"]) for _, loc, _ in data.locations
                    if loc["latitude"] is not None and loc["longitude"] is not None), (None, None))
    town = next((loc["city"] for _, loc, _ in data.locations if loc.get("city")), None)
    known = default_gazetteer().lookup(town) if town else None
    service, organization = data.service, data.organization or {}
    words = [service["name"], service.get("name_cy"), service.get("description"), service.get("description_cy"),
             organization.get("name"), organization.get("name_cy")]
    for _, location, _ in data.locations:
        words += [location.get("name"), location.get("name_cy"), location.get("city")]
    words += [CATEGORY_WORDS.get(c, c) for c in categories]
    return {
        "categories": " ".join(categories), "welsh_medium": welsh, "bilingual": welsh and english,
        "free": free, "wheelchair": wheelchair, "setting": service.get("setting") or "",
        "days": " ".join(days), "latitude": located[0], "longitude": located[1],
        "town": town, "town_cy": (known.name_cy or None) if known and known.kind != "Postcode" else None,
        # Folded (no accents, lower case) so "côr" and "cor" match on both databases.
        "search_document": fold(" ".join(w for w in words if w)),
    }


def _service_values(data: ServiceData, source: str, raw: dict) -> dict[str, Any]:
    values = {k: v for k, v in data.service.items() if k != "setting"}
    return {**values, "source": source, "raw": raw, "organization_id": (data.organization or {}).get("id"),
            **derived_facts(data)}


CHILD_TABLES = (AssetSchedule, AssetLanguage, AssetCostOption, AssetContact, AssetServiceAtLocation,
                AssetServiceTaxonomy)


def _upsert_rows(session: Session, model, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT (id) DO UPDATE, many rows at once, on SQLite and PostgreSQL."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model)
    columns = [c for c in rows[0] if c != "id"]
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={c: getattr(statement.excluded, c) for c in columns})
    session.execute(statement, rows)


def _insert_rows(session: Session, model, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model), rows)


def _store_batch(session: Session, batch: list[tuple[ServiceData, dict]], source: str) -> tuple[int, int]:
    """Write one batch (replacing services that exist) with bulk statements; returns (created, updated).

    Core statements rather than ORM objects: a 50,000-record import is several times faster and
    memory stays flat.
    """
    ids = [data.id for data, _ in batch]
    existing = set(session.scalars(select(AssetService.id).where(AssetService.id.in_(ids))))
    if existing:
        for child in CHILD_TABLES:
            session.execute(delete(child).where(child.service_id.in_(existing)))
        session.execute(delete(AssetService).where(AssetService.id.in_(existing)))
    organizations = {d.organization["id"]: d.organization for d, _ in batch if d.organization}
    locations = {loc["id"]: (loc, access) for d, _ in batch for _, loc, access in d.locations}
    terms = {t["id"]: t for d, _ in batch for t in d.terms}
    _upsert_rows(session, AssetOrganization, list(organizations.values()))
    _upsert_rows(session, AssetTaxonomyTerm, list(terms.values()))
    _upsert_rows(session, AssetLocation, [loc for loc, _ in locations.values()])
    if locations:
        session.execute(delete(AssetAccessibility).where(AssetAccessibility.location_id.in_(list(locations))))
    _insert_rows(session, AssetAccessibility, [{"location_id": loc["id"], **a}
                                               for loc, access in locations.values() for a in access])
    _insert_rows(session, AssetService, [_service_values(data, source, raw) for data, raw in batch])
    _insert_rows(session, AssetSchedule, [{"service_id": d.id, **s} for d, _ in batch for s in d.schedules])
    _insert_rows(session, AssetLanguage, [{"service_id": d.id, **l} for d, _ in batch for l in d.languages])
    _insert_rows(session, AssetCostOption, [{"service_id": d.id, **c} for d, _ in batch for c in d.cost_options])
    _insert_rows(session, AssetContact, [{"service_id": d.id, **c} for d, _ in batch for c in d.contacts])
    _insert_rows(session, AssetServiceAtLocation, [
        {"service_id": d.id, "oruk_id": sal_id, "location_id": loc["id"]} for d, _ in batch
        for sal_id, loc, _ in d.locations])
    _insert_rows(session, AssetServiceTaxonomy, [
        {"service_id": d.id, "taxonomy_term_id": term_id} for d, _ in batch
        for term_id in dict.fromkeys(t["id"] for t in d.terms)])
    return len(batch) - len(existing), len(existing)


def import_records(session: Session, records: Iterable[Any], source: str = "import",
                   batch_size: int = BATCH) -> ImportReport:
    """Validate and upsert records by id; a bad record is reported with its id and reason, the rest go in."""
    report = ImportReport()
    batch: dict[str, tuple[ServiceData, dict]] = {}
    for position, record in enumerate(records, start=1):
        record_id = str(record.get("id")) if isinstance(record, dict) and record.get("id") else f"#{position}"
        try:
            data = parse_service(record)
        except InvalidRecord as exc:
            report.rejected.append((record_id, str(exc)))
            continue
        if data.id in batch:  # the same id twice in one file: the later one wins
            _flush(session, list(batch.values()), source, report)
            batch = {}
        batch[data.id] = (data, record)
        if len(batch) >= batch_size:
            _flush(session, list(batch.values()), source, report)
            batch = {}
    if batch:
        _flush(session, list(batch.values()), source, report)
    return report


def _flush(session: Session, batch: list[tuple[ServiceData, dict]], source: str, report: ImportReport) -> None:
    try:
        with session.begin_nested():
            created, updated = _store_batch(session, batch, source)
    except IntegrityError:
        if len(batch) == 1:
            report.rejected.append((batch[0][0].id, "conflicts with a stored record (a duplicate id?)"))
            return
        # Find the record the database refused by storing the batch one by one.
        for item in batch:
            _flush(session, [item], source, report)
        return
    report.created += created
    report.updated += updated


def import_file(session: Session, path: Path, gazetteer=None, source: str | None = None) -> ImportReport:
    """Import an ORUK JSON file or API dump folder, or a CSV template (by its .csv suffix)."""
    if path.suffix.lower() == ".csv":
        from storage.assets.csv_template import read_csv_records
        records: Iterable[Any] = read_csv_records(path, gazetteer)
    else:
        records = read_json_records(path)
    return import_records(session, records, source or path.stem[:64])


def count_services(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AssetService)) or 0


def ensure_sample_directory(session: Session) -> bool:
    """Load the shipped SAMPLE directory if the directory is empty, so a newcomer can search at once."""
    if count_services(session):
        return False
    import_records(session, read_json_records(SAMPLE_DIRECTORY), source="sample")
    return True
