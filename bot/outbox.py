"""The outbox: replies and scheduled messages are rows, sent after the transaction commits."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.catalog import BILINGUAL, Catalog
from bot.channels import registry
from bot.channels.base import Outgoing
from bot.rendering import render_sms
from bot.send_policy import form_for
from bot.sms_segments import measure
from flows.base import Labels, Reply
from storage.models import Conversation, DeliveryStatus, OutboundMessage, OutboundSubject, Person, PersonAddress


def preferred_address(person: Person) -> PersonAddress | None:
    """Where to reach a person unprompted: the address they last wrote from that still works."""
    reachable = [a for a in person.addresses if a.unreachable_at is None]
    if not reachable:
        return None
    return max(reachable, key=lambda a: (a.last_seen_at or a.created_at, a.id))


# Safeguarding replies to the person (crisis contacts, the gentle safety check) and alerts to
# practitioners go before every other queued row (issue 14): the sender orders by priority first.
URGENT_KEYS = "safeguarding."
PRIORITY_URGENT = 1
PRIORITY_NORMAL = 0


def priority_of(reply: Reply) -> int:
    """The outbox priority a reply is queued with, from its catalog key."""
    return PRIORITY_URGENT if reply.key.startswith(URGENT_KEYS) else PRIORITY_NORMAL


_OUTBOX_COLUMNS = ("person_id", "channel", "address", "body", "options", "language", "catalog_key", "params",
                   "status", "idempotency_key", "ignore_opt_out", "created_at", "not_before", "attempts",
                   "priority", "template", "last_error", "claimed_until")


def _build_outbox_insert(postgresql: bool, keyed: bool):
    insert = pg_insert if postgresql else sqlite_insert
    # On the Core table: the ORM's bulk-insert path costs more than the INSERT itself.
    table = OutboundMessage.__table__
    # claimed_until: none unless given (a turn's first reply, claimed as it is written).
    statement = insert(table).values({name: bindparam(name, **({"value": None} if name == "claimed_until" else {}))
                                      for name in _OUTBOX_COLUMNS})
    if keyed:
        statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    return statement.returning(table.c.id)


# Built once: building an INSERT with .values() for every message cost more than running it.
_OUTBOX_INSERT = {(pg, keyed): _build_outbox_insert(pg, keyed) for pg in (False, True) for keyed in (False, True)}


def outbox_insert(postgresql: bool, keyed: bool):
    """The prebuilt INSERT of one outbox row (keyed: skipped if its idempotency key is taken)."""
    return _OUTBOX_INSERT[(postgresql, keyed)]


_TABLE = OutboundMessage.__table__

_CLAIM_ROWS = (
    update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True)), _TABLE.c.status == "queued")
    .values(status="sending", claimed_until=bindparam("until"), attempts=_TABLE.c.attempts + 1)
    .returning(_TABLE.c.id)
)
_CLAIM_DUE = _CLAIM_ROWS.where(_TABLE.c.not_before <= bindparam("now"))


def claim_rows(db: Session | Connection, ids: Sequence[int], until: datetime) -> set[int]:
    """Mark rows still queued "sending" until `until` (a sender's claim); the ids it got.

    `db`: a turn's session, or the sender's connection.
    """
    connection = db.connection() if isinstance(db, Session) else db
    return set(connection.execute(_CLAIM_ROWS, {"ids": list(ids), "until": until}).scalars())


# ------------------------------------------------------------ the sender's reads and writes (bot/sender.py)
# Core statements, built once: the sender runs them many times a second.
_PERSON = Person.__table__
_ADDRESS = PersonAddress.__table__
_STATUS = DeliveryStatus.__table__
_HOLDING = select(
    _TABLE.c.id, _TABLE.c.channel, _TABLE.c.address, _TABLE.c.status, _TABLE.c.claimed_until,
    _TABLE.c.created_at, _TABLE.c.attempts, _TABLE.c.not_before, _TABLE.c.last_error,
).where(or_(
    _TABLE.c.status == "sending",
    # Tried and waiting to be tried again (a 429 leaves attempts as they were, so the error
    # is the mark); a scheduled row, never tried, holds nothing back.
    and_(_TABLE.c.status == "queued", _TABLE.c.not_before > bindparam("now"),
         or_(_TABLE.c.attempts > 0, _TABLE.c.last_error.is_not(None))),
))
_CANDIDATES = (
    select(_TABLE.c.id, _TABLE.c.channel, _TABLE.c.address, _TABLE.c.body, _TABLE.c.options,
           _TABLE.c.attempts, _TABLE.c.created_at, _TABLE.c.ignore_opt_out, _TABLE.c.priority,
           _TABLE.c.language, _TABLE.c.template,
           _PERSON.c.opted_out, _ADDRESS.c.unreachable_at)
    .select_from(_TABLE.outerjoin(_PERSON, _PERSON.c.id == _TABLE.c.person_id)
                 .outerjoin(_ADDRESS, and_(_ADDRESS.c.channel == _TABLE.c.channel,
                                           _ADDRESS.c.address == _TABLE.c.address)))
    .where(_TABLE.c.status == "queued", _TABLE.c.not_before <= bindparam("now"),
           _TABLE.c.channel.in_(bindparam("channels", expanding=True)))
    # Safeguarding first (issue 14): a crisis reply goes at the next token, not behind a flood.
    .order_by(_TABLE.c.priority.desc(), _TABLE.c.id)
    .limit(bindparam("limit"))
)
# A status callback may have beaten the sender's record to the database: what it stored is further along.
_EARLY_STATUS = select(_STATUS.c.status).where(
    _STATUS.c.channel == _TABLE.c.channel, _STATUS.c.provider_id == bindparam("v_provider_id")).scalar_subquery()
_UPDATES: dict[tuple[str, ...], Any] = {}


def update_rows(connection: Connection, changes: list[dict[str, Any]]) -> None:
    """Apply per-row changes ({"id": .., column: value}): one executemany UPDATE for each set of columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append({f"v_{k}": v for k, v in change.items()})
    for columns, rows in groups.items():
        statement = _UPDATES.get(columns)
        if statement is None:
            values = {name: bindparam(f"v_{name}") for name in columns if name != "id"}
            if "provider_status" in values:
                values["provider_status"] = func.coalesce(_EARLY_STATUS, values["provider_status"])
            statement = _UPDATES[columns] = update(_TABLE).where(_TABLE.c.id == bindparam("v_id")).values(values)
        connection.execute(statement, rows)


@dataclass
class Outbox:
    """What the claim read, in one transaction: plain rows, decided on by the sender's event loop."""

    now: datetime
    candidates: list
    holding: list | None   # None: not read this time (the sender's own records are current)


def read_outbox(connection: Connection, now: datetime, channels: list[str], limit: int, holding: bool) -> Outbox:
    """The due rows on `channels` (and, if asked, the rows holding their recipients back), in one snapshot."""
    rows = connection.execute(_HOLDING, {"now": now}).all() if holding else None
    return Outbox(now, connection.execute(_CANDIDATES, {"now": now, "channels": channels, "limit": limit}).all(), rows)


def claim_due(connection: Connection, ids: Sequence[int], until: datetime, now: datetime) -> set[int]:
    """claim_rows for rows still due now (another sender may have put one back for a retry)."""
    return set(connection.execute(_CLAIM_DUE, {"ids": list(ids), "until": until, "now": now}).scalars())


def mark_unreachable(connection: Connection, addresses, now: datetime) -> None:
    for channel, address in addresses:
        connection.execute(update(_ADDRESS).where(_ADDRESS.c.channel == channel, _ADDRESS.c.address == address)
                           .values(unreachable_at=now))


def count_due(session: Session, now: datetime, channels: list[str]) -> int:
    return session.scalar(select(func.count()).select_from(_TABLE).where(
        _TABLE.c.status == "queued", _TABLE.c.not_before <= now, _TABLE.c.channel.in_(channels)))


def count_waiting(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_TABLE).where(_TABLE.c.status.in_(("queued", "sending"))))


# Joining never makes an SMS longer than this: old phones show a long one's parts out of order,
# and a message that needs more than this was split on purpose (a practitioner's LIST, in parts).
JOINED_SMS_MAX_SEGMENTS = 3


def sms_segments(body: str, options: tuple) -> int:
    return max(1, measure(render_sms(body, options)).segments)


def joining_pays(first: str, second: str, options: tuple) -> bool:
    """Whether two SMS sent as one cost no more segments and stay short enough to read in order."""
    joined = sms_segments(first + "\n\n" + second, options)
    return joined <= JOINED_SMS_MAX_SEGMENTS and joined <= sms_segments(first, ()) + sms_segments(second, options)


def _joins(channel: str) -> bool:
    spec = registry.spec(channel)
    return spec is not None and spec.joins_turns


def joined(last: Outgoing, row: Outgoing) -> Outgoing | None:
    """`row` sent as part of `last`, or None if it goes on its own: on SMS (a channel that joins turns),
    a turn's row joins the message before it while that costs no more segments (options end a
    message: they must come last)."""
    if (row.channel == last.channel and _joins(row.channel) and not last.options
            and (row.address, row.created_at) == (last.address, last.created_at)
            and joining_pays(last.body, row.body, row.options)):
        return dataclasses.replace(last, body=last.body + "\n\n" + row.body, options=row.options,
                                   ids=last.row_ids + row.row_ids)
    return None


def join_turn(rows: Sequence[Outgoing]) -> list[Outgoing]:
    """One turn's rows to one recipient as the messages that go (see `joined`)."""
    messages: list[Outgoing] = []
    for row in rows:
        both = joined(messages[-1], row) if messages else None
        if both is None:
            messages.append(row)
        else:
            messages[-1] = both
    return messages


def stored_params(params) -> dict:
    """A reply's parameters as JSON keeps them: a Labels is its catalog keys, a value JSON has no
    type for (a date) its text."""
    def stored(value):
        if isinstance(value, Labels):
            return list(value.keys)
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
    return {name: stored(value) for name, value in params.items()}


def _stored_option(option) -> dict:
    stored = {"value": option.value, "label": option.label}
    if option.command:
        stored["command"] = option.command
    return stored


@dataclass
class Prepared:
    """A reply rendered for its recipient, not yet stored: the outbox row's values, and the row as the
    sender would send it (its id not known yet; None if it is held, never to be sent)."""

    reply: Reply
    person: Person | None
    values: dict[str, Any]
    outgoing: Outgoing | None


def prepare_message(
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
) -> Prepared:
    """Render a reply in the recipient's language, in the form the channel takes now (queue_message)."""
    language = language or (person.language if person else None) or BILINGUAL
    rendered = catalog.render(reply, language)
    # The channel's window (WhatsApp): free-form, an approved template, or held (bot/send_policy.py).
    form = form_for(session, catalog, channel, address, not_before or now, reply.key, reply.params,
                    rendered.language)
    options = [_stored_option(o) for o in rendered.options]
    values = {
        "person_id": person.id if person else None, "channel": channel, "address": address,
        "body": rendered.body, "options": options, "template": form.template,
        "language": rendered.language, "catalog_key": reply.key, "params": stored_params(reply.params),
        "status": "held" if form.held else "queued", "last_error": form.held,
        "idempotency_key": idempotency_key,
        "ignore_opt_out": ignore_opt_out, "created_at": now, "not_before": not_before or now, "attempts": 0,
        "priority": priority_of(reply), "claimed_until": None,
    }
    outgoing = None if form.held else Outgoing(0, channel, address, rendered.body or "", tuple(options), 1, 1, (),
                                               now, rendered.language, form.template)
    return Prepared(reply, person, values, outgoing)


# In session.info: the (channel, address) pairs this transaction queued a row to.
QUEUED_TO = "outbox.queued_to"


def store_message(session: Session, catalog: Catalog, prepared: Prepared, *,
                  claimed_until: datetime | None = None, conversation: Conversation | None = None
                  ) -> Outgoing | None:
    """Queue a prepared message; the row as the sender would send it, or None if its key was queued
    before or it is held. `claimed_until`: committed "sending", claimed by this process's sender
    until then (a turn's first reply, handed to it: Handled.handed)."""
    values, reply, person = prepared.values, prepared.reply, prepared.person
    if claimed_until is not None and prepared.outgoing is not None:
        values = {**values, "status": "sending", "claimed_until": claimed_until, "attempts": 1}
    statement = outbox_insert(session.bind.dialect.name == "postgresql", values["idempotency_key"] is not None)
    # On the connection: a Core INSERT needs neither the ORM's execute path nor its autoflush
    # (which would write the conversation now and again when its pending options change below).
    row_id = session.connection().execute(statement, values).scalar()
    if row_id is None:
        return None
    about = [i for i in reply.about if person is None or i != person.id]
    if about:
        session.connection().execute(OutboundSubject.__table__.insert(),
                                     [{"outbound_id": row_id, "person_id": i} for i in about])
    if prepared.outgoing is None:
        return None   # held: never sent, it offers nothing and is no one's to send
    if person is not None and reply.options and not any(o.command for o in reply.options):
        if conversation is None or conversation.person_id != person.id:
            conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.id))
        if conversation is not None:
            conversation.pending_options = [
                {"value": o.value, "labels": catalog.labels(o.label, **o.params)} for o in reply.options
            ]
    # Rows queued in this transaction before a turn's replies: they go first (bot/dispatcher.py).
    session.info.setdefault(QUEUED_TO, set()).add((prepared.outgoing.channel, prepared.outgoing.address))
    return dataclasses.replace(prepared.outgoing, id=row_id)


def queue_message(session: Session, catalog: Catalog, reply: Reply, *,
                  conversation: Conversation | None = None, **message: Any) -> Outgoing | None:
    """Render a reply in the recipient's language and queue it; the row as the sender would send
    it (a plain value, which a turn may hand to its sender), or None if the key was queued before.
    `message`: prepare_message's channel, address, now, person, language, not_before,
    idempotency_key and ignore_opt_out.

    When the message offers options, they become the recipient's pending options, so an SMS
    answer "1" means the first of them. Pass the recipient's `conversation` if it is at hand.
    """
    return store_message(session, catalog, prepare_message(session, catalog, reply, **message),
                         conversation=conversation)
