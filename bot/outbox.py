"""The outbox: replies and scheduled messages are rows, sent after the transaction commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog import BILINGUAL, Catalog
from flows.base import Reply
from storage.models import Conversation, OutboundMessage, OutboundSubject, Person, PersonAddress


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None = None


class Transport(Protocol):
    """Hands one message to a provider (Telegram, Twilio, the console)."""

    def send(self, message: OutboundMessage) -> SendResult: ...


def preferred_address(person: Person) -> PersonAddress | None:
    """Where to reach a person unprompted: the address they last wrote from that still works."""
    reachable = [a for a in person.addresses if a.unreachable_at is None]
    if not reachable:
        return None
    return max(reachable, key=lambda a: (a.last_seen_at or a.created_at, a.id))


_OUTBOX_COLUMNS = ("person_id", "channel", "address", "body", "options", "language", "status", "idempotency_key",
                   "ignore_opt_out", "created_at", "not_before", "attempts")


def _outbox_insert(postgresql: bool, keyed: bool):
    insert = pg_insert if postgresql else sqlite_insert
    # On the Core table: the ORM's bulk-insert path costs more than the INSERT itself.
    table = OutboundMessage.__table__
    statement = insert(table).values({name: bindparam(name) for name in _OUTBOX_COLUMNS})
    if keyed:
        statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    return statement.returning(table.c.id)


# Built once: building an INSERT with .values() for every message cost more than running it.
_OUTBOX_INSERT = {(pg, keyed): _outbox_insert(pg, keyed) for pg in (False, True) for keyed in (False, True)}


def queue_message(
    session: Session,
    catalog: Catalog,
    reply: Reply,
    *,
    channel: str,
    address: str,
    now: datetime,
    person: Person | None = None,
    language: str | None = None,
    not_before: datetime | None = None,
    idempotency_key: str | None = None,
    ignore_opt_out: bool = False,
    conversation: Conversation | None = None,
) -> int | None:
    """Render a reply in the recipient's language and queue it; None if the key was queued before.

    When the message offers options, they become the recipient's pending options, so an SMS
    answer "1" means the first of them. Pass the recipient's `conversation` if it is at hand.
    """
    language = language or (person.language if person else None) or BILINGUAL
    rendered = catalog.render(reply, language)
    statement = _OUTBOX_INSERT[(session.bind.dialect.name == "postgresql", idempotency_key is not None)]
    # On the connection: a Core INSERT needs neither the ORM's execute path nor its autoflush
    # (which would write the conversation now and again when its pending options change below).
    row_id = session.connection().execute(statement, {
        "person_id": person.id if person else None, "channel": channel, "address": address,
        "body": rendered.body, "options": [{"value": o.value, "label": o.label} for o in rendered.options],
        "language": rendered.language, "status": "queued", "idempotency_key": idempotency_key,
        "ignore_opt_out": ignore_opt_out, "created_at": now, "not_before": not_before or now, "attempts": 0,
    }).scalar()
    about = [i for i in reply.about if person is None or i != person.id]
    if row_id is not None and about:
        session.connection().execute(OutboundSubject.__table__.insert(),
                                     [{"outbound_id": row_id, "person_id": i} for i in about])
    if row_id is not None and person is not None and reply.options:
        if conversation is None or conversation.person_id != person.id:
            conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.id))
        if conversation is not None:
            conversation.pending_options = [
                {"value": o.value, "labels": catalog.labels(o.label, **o.params)} for o in reply.options
            ]
    return row_id


def deliver_due(sessions: sessionmaker, transport: Transport, now: datetime,
                channel: str | None = None, address: str | None = None) -> list[OutboundMessage]:
    """Send every queued message that is due, oldest first; returns those sent.

    The opt-out flag is read now, at send time, not when the row was queued.
    """
    sent: list[OutboundMessage] = []
    with sessions.begin() as session:
        query = (
            select(OutboundMessage, Person.opted_out)
            .outerjoin(Person, Person.id == OutboundMessage.person_id)
            .where(OutboundMessage.status == "queued", OutboundMessage.not_before <= now)
            .order_by(OutboundMessage.id)
        )
        if channel is not None:
            query = query.where(OutboundMessage.channel == channel)
        if address is not None:
            query = query.where(OutboundMessage.address == address)
        for row, opted_out in session.execute(query).all():
            if opted_out and not row.ignore_opt_out:
                row.status = "suppressed"
                continue
            result = transport.send(row)
            row.status = "sent"
            row.sent_at = now
            row.attempts += 1
            row.provider_id = result.provider_id
            sent.append(row)
    return sent
