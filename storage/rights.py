"""People's data rights (UK GDPR): subject access, erasure, and the retention of message text.

Every table is classified here, column by column, so erasure and subject access cover tables
other features add: a test fails when a table has a text, string or JSON column that is not
classified. A column may instead carry its class in `mapped_column(..., info={"personal": ...})`.

Classes:
- IDENTIFIER: identifies the person (a phone number, a chat id): erased
- CONTENT: what someone wrote or was sent: erased, and blanked after the retention period
- PERSONAL: anything else about the person (their language, where they are in a conversation): erased
- PSEUDONYMOUS: the data set subject key and values: kept after erasure, never linked back
- OPERATIONAL: not about a person (status, channel name, provider ids, flow names)
- STAFF: about practitioners and staff, not people using the service: not touched by erasure
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import JSON, String, Table, Text, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Base, ErasureRequest, Person, PersonAddress

IDENTIFIER, CONTENT, PERSONAL, PSEUDONYMOUS, OPERATIONAL, STAFF = (
    "identifier", "content", "personal", "pseudonymous", "operational", "staff")
CLASSES = {IDENTIFIER, CONTENT, PERSONAL, PSEUDONYMOUS, OPERATIONAL, STAFF}
ERASED = {IDENTIFIER, CONTENT, PERSONAL}


@dataclass(frozen=True)
class TablePolicy:
    """How one table holds personal data and what erasure does to its rows about a person.

    - `link`: the column holding person.id ("id" for the person table itself)
    - `address`: a column holding a channel address, so rows not yet linked are found too
    - `on_erase`: "delete" the rows, "detach" them (unlink and blank the erased columns), or
      "none" (the table holds nothing about people who use the service)
    - `via`: (column, parent table) for a table two links away from the person (an answer that
      belongs to a check-in that belongs to the person): its rows are the ones whose column points
      at the parent's rows about the person, so subject access and erasure follow the chain
      rather than trusting a database cascade
    - `retain_by`: the timestamp that starts the retention clock for CONTENT columns
    - `subjects`: a link table (a foreign key to this table, and `person_id`) naming the people whose
      data a row carries although it is about someone else (a referral summary sent to a
      practitioner): subject access shows those rows, erasure redacts their CONTENT columns
    """

    columns: Mapping[str, str]
    link: str | None = None
    address: str | None = None
    on_erase: str = "none"
    via: tuple[str, str] | None = None
    retain_by: str | None = None
    retain_unless: Mapping[str, Any] = field(default_factory=dict)   # e.g. an outbox row still queued
    subjects: str | None = None


POLICIES: dict[str, TablePolicy] = {
    "person": TablePolicy(link="id", on_erase="delete", columns={
        "pseudonym": PSEUDONYMOUS, "language": PERSONAL}),
    "person_address": TablePolicy(link="person_id", on_erase="delete", columns={
        "channel": OPERATIONAL, "address": IDENTIFIER}),
    "conversation": TablePolicy(link="person_id", on_erase="delete", columns={
        "flow": OPERATIONAL, "state": PERSONAL, "pending_options": PERSONAL, "paused": PERSONAL}),
    "inbound_message": TablePolicy(
        link="person_id", address="address", on_erase="delete", retain_by="received_at", columns={
            "channel": OPERATIONAL, "provider_id": OPERATIONAL, "address": IDENTIFIER, "text": CONTENT,
            "choice": CONTENT, "status": OPERATIONAL}),
    "outbound_message": TablePolicy(
        link="person_id", address="address", on_erase="delete", retain_by="created_at",
        retain_unless={"status": "queued"}, subjects="outbound_subject", columns={
            "channel": OPERATIONAL, "address": IDENTIFIER, "body": CONTENT, "options": CONTENT,
            "language": PERSONAL, "catalog_key": OPERATIONAL, "params": CONTENT,
            "status": OPERATIONAL, "idempotency_key": OPERATIONAL,
            "provider_id": OPERATIONAL, "provider_status": OPERATIONAL, "last_error": CONTENT,
            # A WhatsApp template's variables are the message's words (names, places).
            "template": CONTENT}),
    "dataset_event": TablePolicy(link="person_id", on_erase="detach", columns={
        "subject_key": PSEUDONYMOUS, "value": PSEUDONYMOUS, "channel": PSEUDONYMOUS,
        "language": PSEUDONYMOUS, "source": OPERATIONAL,
        # Copies of fields of `value` the report counts (storage/dataset/promoted.py).
        "instrument": PSEUDONYMOUS, "wave": PSEUDONYMOUS, "answer": PSEUDONYMOUS, "amount": PSEUDONYMOUS,
        "flag": PSEUDONYMOUS}),
    # Copies of the numbers in questionnaire events, one row per item (storage/dataset/scores.py):
    # pseudonymous like the events they copy, so kept after erasure as the events are (deleting
    # them would take the person out of the report's paired change while their events still count
    # everywhere else). Subject access shows them through the events that still link to the person.
    "dataset_score": TablePolicy(via=("event_id", "dataset_event"), columns={
        "item": OPERATIONAL, "instrument": PSEUDONYMOUS, "subject_key": PSEUDONYMOUS}),
    # Which people's data a message to someone else carries (bot/outbox.py writes it from Reply.about).
    "outbound_subject": TablePolicy(link="person_id", on_erase="delete", columns={}),
    "erasure_request": TablePolicy(link="person_id", on_erase="detach", columns={
        "channel": OPERATIONAL, "status": OPERATIONAL}),
    "consent": TablePolicy(link="person_id", on_erase="delete", columns={}),
    # A practitioner's chat identity is a person row: erasing it unlinks the chat, the staff record stays.
    "practitioner": TablePolicy(link="person_id", on_erase="detach", columns={
        "name": STAFF, "language": STAFF, "speaks": STAFF, "link_code_hash": OPERATIONAL}),
    "team": TablePolicy(columns={"name": OPERATIONAL, "postcode_areas": OPERATIONAL}),
    "team_rotation": TablePolicy(columns={}),          # a team's round-robin pointer: staff ids only

    # ---- referrals and safeguarding (storage/models/referral.py)
    # A self-referral is health-related data the person gave us: erased with them.
    "referral": TablePolicy(link="person_id", on_erase="delete", columns={
        "status": OPERATIONAL, "route": OPERATIONAL, "source": OPERATIONAL, "answers": PERSONAL,
        "postcode_area": PERSONAL, "outcome_reason": PERSONAL}),
    # Safeguarding records may have to be kept (a duty of care, a later review or inquiry), so an
    # erasure detaches the alert rather than deleting it: what was done, when, by which staff and
    # how far it escalated stays; who it was about (the link, their address) and what they wrote
    # (the excerpt) are blanked. No `retain_by`: the excerpt is needed while the alert is dealt
    # with, so it is not blanked on the message retention clock, only on erasure.
    "safeguarding_alert": TablePolicy(
        link="person_id", address="address", on_erase="detach", columns={
            "channel": OPERATIONAL, "address": IDENTIFIER, "excerpt": CONTENT, "detected_by": OPERATIONAL,
            "status": OPERATIONAL, "alerted": STAFF,
            # Issue 14: what kind of alert it was stays with the record (as detected_by does); the
            # person's language is about them.
            "tier": OPERATIONAL, "category": OPERATIONAL, "language": PERSONAL}),
    # The alert's audit log is kept with it; `detail` can hold a further message's excerpt, so it is blanked.
    "alert_event": TablePolicy(via=("alert_id", "safeguarding_alert"), on_erase="detach", columns={
        "kind": OPERATIONAL, "detail": CONTENT}),

    # ---- check-ins, contact times and bookings (storage/models/checkins.py)
    # Answers and scores are health data; the data set events already keep pseudonymous copies.
    "checkin": TablePolicy(link="person_id", on_erase="delete", columns={
        "wave": PERSONAL, "questionnaires": PERSONAL, "status": PERSONAL, "closed_reason": PERSONAL}),
    "checkin_answer": TablePolicy(via=("checkin_id", "checkin"), on_erase="delete", columns={
        "questionnaire": OPERATIONAL, "item": OPERATIONAL, "status": PERSONAL}),
    "checkin_score": TablePolicy(link="person_id", on_erase="delete", columns={
        "wave": PERSONAL, "questionnaire": OPERATIONAL, "measure": OPERATIONAL, "band": PERSONAL}),
    "contact_preference": TablePolicy(link="person_id", on_erase="delete", columns={
        "start": PERSONAL, "end": PERSONAL}),
    "booking": TablePolicy(link="person_id", on_erase="delete", columns={
        "asset_ref": PERSONAL, "activity_cy": PERSONAL, "activity_en": PERSONAL, "first_name": IDENTIFIER,
        "status": PERSONAL}),

    # ---- the end of support (storage/models/end_of_support.py)
    "case_closure": TablePolicy(via=("referral_id", "referral"), on_erase="delete", columns={
        "goals_met": PERSONAL}),
    # Their answers and their own words about the difference it made: erased with them (the data
    # set keeps pseudonymous copies of the answers, never the words).
    "end_of_support": TablePolicy(link="person_id", on_erase="delete", columns={
        "source": OPERATIONAL, "status": PERSONAL, "questions": PERSONAL, "answers": PERSONAL,
        "difference_text": CONTENT, "language": PERSONAL}),

    # ---- channels (storage/models/channels.py): provider ids and statuses, no address
    "delivery_status": TablePolicy(columns={
        "channel": OPERATIONAL, "provider_id": OPERATIONAL, "status": OPERATIONAL, "error_code": OPERATIONAL}),

    # ---- the community asset directory (storage/models/assets.py): public organisational data
    # (an asset's contact is the organisation's published contact, not someone using the service).
    "asset_organization": TablePolicy(columns={
        "id": OPERATIONAL, "name": OPERATIONAL, "name_cy": OPERATIONAL, "description": OPERATIONAL,
        "description_cy": OPERATIONAL, "email": OPERATIONAL, "website": OPERATIONAL, "phone": OPERATIONAL,
        "service_type": OPERATIONAL}),
    "asset_service": TablePolicy(columns={
        "id": OPERATIONAL, "organization_id": OPERATIONAL, "name": OPERATIONAL, "name_cy": OPERATIONAL,
        "description": OPERATIONAL, "description_cy": OPERATIONAL, "url": OPERATIONAL, "email": OPERATIONAL,
        "phone": OPERATIONAL, "status": OPERATIONAL, "fees": OPERATIONAL, "source": OPERATIONAL,
        "raw": OPERATIONAL, "categories": OPERATIONAL, "setting": OPERATIONAL, "days": OPERATIONAL,
        "town": OPERATIONAL, "town_cy": OPERATIONAL, "search_document": OPERATIONAL}),
    "asset_location": TablePolicy(columns={
        "id": OPERATIONAL, "name": OPERATIONAL, "name_cy": OPERATIONAL, "description": OPERATIONAL,
        "description_cy": OPERATIONAL, "address_1": OPERATIONAL, "city": OPERATIONAL, "region": OPERATIONAL,
        "postal_code": OPERATIONAL, "transport": OPERATIONAL, "transport_cy": OPERATIONAL}),
    "asset_service_at_location": TablePolicy(columns={
        "oruk_id": OPERATIONAL, "service_id": OPERATIONAL, "location_id": OPERATIONAL}),
    "asset_taxonomy_term": TablePolicy(columns={
        "id": OPERATIONAL, "code": OPERATIONAL, "name": OPERATIONAL, "name_cy": OPERATIONAL,
        "description": OPERATIONAL, "taxonomy": OPERATIONAL, "parent_id": OPERATIONAL}),
    "asset_service_taxonomy": TablePolicy(columns={
        "service_id": OPERATIONAL, "taxonomy_term_id": OPERATIONAL}),
    "asset_schedule": TablePolicy(columns={
        "oruk_id": OPERATIONAL, "service_id": OPERATIONAL, "freq": OPERATIONAL, "byday": OPERATIONAL,
        "opens_at": OPERATIONAL, "closes_at": OPERATIONAL, "description": OPERATIONAL,
        "description_cy": OPERATIONAL}),
    "asset_language": TablePolicy(columns={
        "oruk_id": OPERATIONAL, "service_id": OPERATIONAL, "code": OPERATIONAL, "name": OPERATIONAL,
        "note": OPERATIONAL}),
    "asset_cost_option": TablePolicy(columns={
        "oruk_id": OPERATIONAL, "service_id": OPERATIONAL, "option": OPERATIONAL, "option_cy": OPERATIONAL,
        "amount_description": OPERATIONAL, "amount_description_cy": OPERATIONAL}),
    "asset_accessibility": TablePolicy(columns={
        "oruk_id": OPERATIONAL, "location_id": OPERATIONAL, "description": OPERATIONAL,
        "description_cy": OPERATIONAL, "details": OPERATIONAL}),
    "asset_contact": TablePolicy(columns={
        "oruk_id": OPERATIONAL, "service_id": OPERATIONAL, "name": OPERATIONAL, "title": OPERATIONAL,
        "phone": OPERATIONAL, "email": OPERATIONAL}),
    # Which asset a person chose (and whether they were referred) is about them: erased with them.
    # Nothing else reads these rows (no data set statement is built from them).
    "asset_signpost": TablePolicy(link="person_id", on_erase="delete", columns={
        "service_id": PERSONAL, "service_name": PERSONAL, "kind": PERSONAL}),
}


class UnclassifiedData(Exception):
    """A table holds columns nobody has classified, so erasure cannot promise to cover it."""


def _is_texty(column) -> bool:
    return isinstance(column.type, (String, Text, JSON)) or getattr(column.type, "impl", None).__class__ in (
        String, Text, JSON)


def column_class(table: Table, name: str) -> str | None:
    policy = POLICIES.get(table.name)
    if policy and name in policy.columns:
        return policy.columns[name]
    return table.c[name].info.get("personal")


def unclassified() -> dict[str, list[str]]:
    """Tables and their text/string/JSON columns, or links to a person, that no one has classified."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        links_person = any(fk.column.table.name == "person" for fk in table.foreign_keys)
        # Two links away: a row hanging off a table that holds rows about people (an answer of a check-in).
        links_about_people = any(
            fk.column.table.name != "person" and fk.column.table.name in POLICIES
            and POLICIES[fk.column.table.name].on_erase != "none" for fk in table.foreign_keys)
        missing = [c.name for c in table.columns if _is_texty(c) and column_class(table, c.name) not in CLASSES]
        if links_person and table.name not in POLICIES:
            missing.append("(links to person: add a TablePolicy saying what erasure does)")
        elif links_about_people and table.name not in POLICIES:
            missing.append("(links to a table about people: add a TablePolicy, with `via`, saying what erasure does)")
        policy = POLICIES.get(table.name)
        if policy is not None and policy.via is not None:
            column, parent = policy.via
            if parent not in POLICIES or not any(fk.column.table.name == parent for fk in table.c[column].foreign_keys):
                missing.append(f"(via {policy.via}: not a foreign key to a classified table)")
        if missing:
            found[table.name] = missing
    return found


def _policy(table: Table) -> TablePolicy:
    policy = POLICIES.get(table.name)
    if policy is not None:
        return policy
    columns = {c.name: c.info["personal"] for c in table.columns if "personal" in c.info}
    return TablePolicy(columns=columns)


def _carrying(table: Table, policy: TablePolicy, person: Person):
    """Rows about someone else that carry this person's data (see TablePolicy.subjects)."""
    if policy.subjects is None:
        return None
    links = Base.metadata.tables[policy.subjects]
    [(column, target)] = [(fk.parent, fk.column) for fk in links.foreign_keys if fk.column.table is table]
    return target.in_(select(column).where(links.c.person_id == person.id))


def _rows_about(table: Table, policy: TablePolicy, person: Person, addresses: list[tuple[str, str]],
                carrying: bool = False):
    conditions = []
    if carrying and policy.subjects is not None:
        conditions.append(_carrying(table, policy, person))
    if policy.link:
        conditions.append(table.c[policy.link] == person.id)
    if policy.address and addresses:
        conditions.append(or_(*[(table.c.channel == channel) & (table.c[policy.address] == address)
                                for channel, address in addresses]))
    if policy.via:
        column, parent_name = policy.via
        parent = Base.metadata.tables[parent_name]
        parent_where = _rows_about(parent, _policy(parent), person, addresses)
        if parent_where is not None:
            [target] = [fk.column for fk in table.c[column].foreign_keys if fk.column.table is parent]
            conditions.append(table.c[column].in_(select(target).where(parent_where)))
    return or_(*conditions) if conditions else None


def _check_classified() -> None:
    missing = unclassified()
    if missing:
        raise UnclassifiedData(f"classify these columns in storage/rights.py POLICIES: {missing}")


# ---------------------------------------------------------------- finding people


def find_people(session: Session, address: str, channel: str | None = None) -> list[Person]:
    """The people reachable at this address (a phone number in any common form, or a chat id)."""
    query = select(PersonAddress).where(PersonAddress.address.in_(address_forms(address)))
    if channel:
        query = query.where(PersonAddress.channel == channel)
    return list({row.person_id: row.person for row in session.scalars(query)}.values())


def address_forms(address: str) -> list[str]:
    """A UK mobile as typed (07700 900123, +44 7700 900123) and as stored (+447700900123, and
    on WhatsApp whatsapp:+447700900123)."""
    compact = "".join(ch for ch in address.strip().removeprefix("whatsapp:") if ch.isdigit() or ch == "+")
    forms = {address.strip(), compact}
    if compact.startswith("07"):
        forms.add("+44" + compact[1:])
    if compact.startswith("447"):
        forms.add("+" + compact)
    forms |= {"whatsapp:" + f for f in forms if f.startswith("+")}
    return sorted(f for f in forms if f)


# ---------------------------------------------------------------- subject access


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def subject_access(session: Session, person: Person) -> dict[str, Any]:
    """Everything held about one person, table by table, as JSON-ready data."""
    _check_classified()
    addresses = [(a.channel, a.address) for a in person.addresses]
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        policy = _policy(table)
        where = _rows_about(table, policy, person, addresses, carrying=True)
        if where is None:
            continue
        own = _rows_about(table, policy, person, addresses)
        # A row sent to someone else about the person: what it said is theirs, whom it went to
        # (a practitioner's chat address) is not, so that is left out.
        query = select(table, *([] if own is None else [own.label("_own")]))
        rows = session.execute(query.where(where).order_by(*table.primary_key.columns)).mappings()
        found = []
        for row in rows:
            values = {k: _plain(v) for k, v in row.items() if k != "_own"}
            if own is not None and not row["_own"]:
                values.update({name: None for name, kind in policy.columns.items() if kind == IDENTIFIER})
            found.append(values)
        tables[table.name] = found
    return {
        "about": "Everything Cyswllt holds about you, table by table (UK GDPR Article 15).",
        "person_id": person.id,
        "tables": tables,
    }


# ---------------------------------------------------------------- erasure


@dataclass(frozen=True)
class Erasure:
    deleted: dict[str, int]
    detached: dict[str, int]
    redacted: dict[str, int] = field(default_factory=dict)


# Outbox statuses of a row not yet handed to the provider: redacted, it must not go out empty.
UNSENT = ("queued", "sending")


def erase(session: Session, person: Person, now: datetime) -> Erasure:
    """Remove the person's personal data and message text everywhere; keep only pseudonymous events."""
    _check_classified()
    addresses = [(a.channel, a.address) for a in person.addresses]
    session.execute(update(ErasureRequest).where(ErasureRequest.person_id == person.id,
                                                 ErasureRequest.status == "pending")
                    .values(status="done", decided_at=now))
    deleted: dict[str, int] = {}
    detached: dict[str, int] = {}
    redacted = _redact_carried(session, person)
    # Children before parents, the person last, so no foreign key is left dangling; a `via` table
    # comes before its parent, so its rows are found while the parent still points at the person.
    for table in reversed(Base.metadata.sorted_tables):
        policy = _policy(table)
        where = _rows_about(table, policy, person, addresses)
        if where is None or table.name == "person":
            continue
        if policy.on_erase == "delete":
            deleted[table.name] = session.execute(delete(table).where(where)).rowcount
        elif policy.on_erase == "detach":
            blank = {name: _empty(table.c[name]) for name, kind in policy.columns.items() if kind in ERASED}
            if policy.link:
                blank[policy.link] = None
            detached[table.name] = session.execute(update(table).where(where).values(**blank)).rowcount
    session.flush()
    session.expunge(person)
    deleted["person"] = session.execute(delete(Person.__table__).where(Person.__table__.c.id == person.id)).rowcount
    return Erasure(deleted, detached, redacted)


def _redact_carried(session: Session, person: Person) -> dict[str, int]:
    """Blank what rows sent to others say about the person; a row not yet sent is not sent at all.

    The row stays (a practitioner's record that a message went), without the person's words.
    Runs first, while the links that find these rows still exist.
    """
    redacted: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        policy = _policy(table)
        where = _carrying(table, policy, person)
        if where is None:
            continue
        blank = {name: _empty(table.c[name]) for name, kind in policy.columns.items() if kind == CONTENT}
        if "status" in table.c:
            session.execute(update(table).where(where, table.c.status.in_(UNSENT)).values(status="redacted"))
        redacted[table.name] = session.execute(update(table).where(where).values(**blank)).rowcount
    return redacted


def cancel_request(session: Session, request_id: int, now: datetime) -> bool:
    request = session.get(ErasureRequest, request_id)
    if request is None or request.status != "pending":
        return False
    request.status, request.decided_at = "cancelled", now
    return True


# ---------------------------------------------------------------- retention


def blank_old_content(session: Session, now: datetime, days: int) -> dict[str, int]:
    """Blank message text older than `days` in every table that keeps some (a due-work job)."""
    cutoff = now - timedelta(days=days)
    blanked: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        policy = _policy(table)
        content = [name for name, kind in policy.columns.items() if kind == CONTENT]
        if not content or not policy.retain_by:
            continue
        values = {name: _empty(table.c[name]) for name in content}
        # Only rows still holding text, so the job's counts say what it actually blanked.
        nullable = [table.c[name].is_not(None) for name in content if table.c[name].nullable]
        query = update(table).where(table.c[policy.retain_by] < cutoff)
        for name, value in policy.retain_unless.items():
            query = query.where(table.c[name] != value)
        if nullable:
            query = query.where(or_(*nullable))
        blanked[table.name] = session.execute(query.values(**values)).rowcount
    return blanked


def _empty(column) -> Any:
    """NULL where allowed; an empty list for JSON columns that must hold something."""
    if column.nullable:
        return None
    if isinstance(column.type, JSON) or "JSON" in type(column.type).__name__:
        default = column.default
        if default is not None and default.is_callable and default.arg(None) in ({}, []):
            return default.arg(None)          # {} for a dict column (an alert event's detail)
        return []
    return ""
