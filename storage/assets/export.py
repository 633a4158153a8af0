"""Writing the directory back out as Open Referral UK 3.0 JSON (with our Welsh extension fields)."""
from __future__ import annotations

from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.assets import AssetService
from storage.places import default_gazetteer

PAGE = 500


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values, as ORUK feeds usually do."""
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def service_record(service: AssetService) -> dict[str, Any]:
    """One service as an ORUK 3.0 service object (service_full shape)."""
    organization = service.organization
    record = {
        "id": service.id, "name": service.name, "name_cy": service.name_cy,
        "description": service.description, "description_cy": service.description_cy,
        "url": service.url, "email": service.email, "status": service.status,
        "fees_description": service.fees, "minimum_age": service.minimum_age, "maximum_age": service.maximum_age,
        "last_modified": service.last_modified.isoformat() if service.last_modified else None,
        "setting": service.setting,
        "phones": [{"id": f"{service.id}-phone", "number": service.phone}] if service.phone else [],
        "organization": _clean({
            "id": organization.id, "name": organization.name, "name_cy": organization.name_cy,
            # Required by ORUK 3.0: the name says what the organisation is when nothing else does.
            "description": organization.description or organization.name,
            "description_cy": organization.description_cy,
            "email": organization.email, "website": organization.website,
            "service_type": organization.service_type,
        }) if organization else None,
        "schedules": [_clean({
            "id": s.oruk_id, "freq": s.freq, "interval": s.interval, "byday": s.byday, "opens_at": s.opens_at,
            "closes_at": s.closes_at, "description": s.description, "description_cy": s.description_cy,
        }) for s in service.schedules],
        "languages": [_clean({"id": l.oruk_id, "code": l.code, "name": l.name, "note": l.note})
                      for l in service.languages],
        "cost_options": [_clean({
            "id": c.oruk_id, "amount": c.amount, "option": c.option, "option_cy": c.option_cy,
            "amount_description": c.amount_description, "amount_description_cy": c.amount_description_cy,
        }) for c in service.cost_options],
        "contacts": [_clean({
            "id": c.oruk_id, "name": c.name, "title": c.title, "email": c.email,
            "phones": [{"id": f"{c.oruk_id or service.id}-phone", "number": c.phone}] if c.phone else [],
        }) for c in service.contacts],
        "attributes": [{
            "id": f"{service.id}-{link.term.id}",
            "taxonomy_term": _clean({
                "id": link.term.id, "code": link.term.code, "name": link.term.name, "name_cy": link.term.name_cy,
                "description": link.term.description or link.term.name or link.term.code,
                "taxonomy": link.term.taxonomy,
                "parent_id": link.term.parent_id,
            }),
        } for link in service.taxonomy_links],
        "service_at_locations": [{
            "id": sal.oruk_id,
            "location": _clean({
                "id": sal.location.id, "location_type": "physical", "name": sal.location.name,
                "name_cy": sal.location.name_cy, "description": sal.location.description,
                "description_cy": sal.location.description_cy, "latitude": sal.location.latitude,
                "longitude": sal.location.longitude, "transport": sal.location.transport,
                "transport_cy": sal.location.transport_cy,
                "addresses": _addresses(sal.location),
                "accessibility": [_clean({
                    "id": a.oruk_id, "description": a.description, "description_cy": a.description_cy,
                    "details": a.details, "wheelchair": a.wheelchair,
                }) for a in sal.location.accessibility],
            }),
        } for sal in service.service_at_locations],
    }
    return _clean(record)


def _addresses(location) -> list[dict[str, Any]]:
    """The location's postal address with every field ORUK 3.0 requires, or none if it has none.

    state_province is the Welsh principal area the town is in (the gazetteer), else the region
    the directory gave (an imported feed's own state_province), else "Wales". The region is not
    written separately: on import it is read back from state_province, so a round trip is stable.
    """
    if not (location.address_1 or location.postal_code or location.city):
        return []
    place = default_gazetteer().lookup(location.city) if location.city else None
    return [{
        "id": f"{location.id}-address",
        "address_1": location.address_1 or location.name or location.city or "",
        "city": location.city or "",
        "state_province": (place.authority_en if place else None) or location.region or "Wales",
        "postal_code": location.postal_code or "",
        "country": "GB", "address_type": "physical",
    }]


def export_services(session: Session) -> Iterator[dict[str, Any]]:
    """Every service, in id order, a page at a time."""
    last = ""
    while True:
        page = session.scalars(select(AssetService).where(AssetService.id > last)
                               .order_by(AssetService.id).limit(PAGE)).all()
        if not page:
            return
        for service in page:
            yield service_record(service)
        last = page[-1].id
        session.expunge_all()


def export_document(session: Session) -> dict[str, Any]:
    """The whole directory as one ORUK service list page."""
    services = list(export_services(session))
    return {"total_items": len(services), "total_pages": 1, "page_number": 1, "size": len(services),
            "first_page": True, "last_page": True, "empty": not services, "contents": services}
