"""The statements a person's turn runs, built once: the dispatcher runs them, and
bench/stack_floor.py times the very same ones beneath it.

Built once because building an INSERT with .values() on every turn cost more than running it,
and on the Core tables because the ORM's bulk-insert path cost more than the INSERT itself.
"""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import ColumnElement, bindparam, exists, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, lazyload

from storage.dataset.promoted import COLUMNS as PROMOTED_COLUMNS
from storage.models import Conversation, DataSetEvent, InboundMessage, OutboundMessage, Person, PersonAddress

_ADDRESS, _PERSON, _INBOX = PersonAddress.__table__, Person.__table__, InboundMessage.__table__
_OUTBOX = OutboundMessage.__table__

INBOX_COLUMNS = ("channel", "provider_id", "address", "person_id", "text", "choice", "status", "received_at")
# A redelivered message (the same provider id) inserts nothing and returns no id.
INBOX_INSERT = {
    postgresql: (pg_insert if postgresql else sqlite_insert)(_INBOX)
    .values({name: bindparam(name) for name in INBOX_COLUMNS})
    .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
    .returning(_INBOX.c.id)
    for postgresql in (False, True)
}

# Data set events go in with one executemany (a turn that recorded an event spent a quarter of its
# time in the ORM's flush). Not the columns promoted from `value`: the model's defaults work them out.
EVENT_COLUMNS = tuple(c.name for c in DataSetEvent.__table__.columns if c.name not in ("id", *PROMOTED_COLUMNS))
EVENT_INSERT = insert(DataSetEvent.__table__)

# The language stored for an address's person: read before the turn, for the NLU.
LANGUAGE_OF = (
    select(_PERSON.c.language).join_from(_ADDRESS, _PERSON, _PERSON.c.id == _ADDRESS.c.person_id)
    .where(_ADDRESS.c.channel == bindparam("channel"), _ADDRESS.c.address == bindparam("address"))
)

ADDRESS_SEEN = (
    update(_ADDRESS).where(_ADDRESS.c.id == bindparam("row_id"))
    .values(last_seen_at=bindparam("now"), unreachable_at=None)
)


def _recipient_rows(*conditions) -> ColumnElement:
    return exists().where(_OUTBOX.c.channel == bindparam("channel"), _OUTBOX.c.address == bindparam("address"),
                          *conditions)


# Where the turn's replies go in the sender's order (bot/sender.py): behind a row of the person's being
# sent, or behind one that must go first: due (queued earlier, not yet claimed) or waiting to be tried
# again. A scheduled row not yet due, never tried, holds nothing back.
RECIPIENT_COLUMNS = (
    _recipient_rows(_OUTBOX.c.status == "sending").label("recipient_sending"),
    _recipient_rows(_OUTBOX.c.status == "queued", or_(
        _OUTBOX.c.not_before <= bindparam("now"), _OUTBOX.c.attempts > 0, _OUTBOX.c.last_error.is_not(None),
    )).label("recipient_waiting"),
)
# The same on its own, for an address the turn's SELECT did not find (someone's first message).
RECIPIENT_STATE = select(*RECIPIENT_COLUMNS)


def turn_select(fact_columns: Sequence[ColumnElement]):
    """The address, its person, their conversation, whether another of the person's addresses was
    seen since this one, whether a row to the address is being sent and whether one waits to go
    (RECIPIENT_COLUMNS), and every fact column: one SELECT a turn.

    Several web workers (PostgreSQL): a second message from the same address waits on the row lock
    until the first one's turn commits, then reads the state that turn left, so one person's messages
    are handled one after another, in the order they got here. The conversation's version check
    still catches anything else that moved it on. SQLite has one writer and ignores FOR UPDATE.
    The outbox columns are as fresh as the conversation: a turn that waited on the lock read both
    before the other turn committed, and the version check sends it round again to read both anew."""
    other = aliased(PersonAddress)
    seen_elsewhere = exists().where(other.person_id == PersonAddress.person_id, other.id != PersonAddress.id,
                                    other.last_seen_at >= PersonAddress.last_seen_at)
    return (
        select(PersonAddress, Person, Conversation, seen_elsewhere.label("seen_elsewhere_since"),
               *RECIPIENT_COLUMNS, *fact_columns)
        .join(Person, Person.id == PersonAddress.person_id)
        .outerjoin(Conversation, Conversation.person_id == PersonAddress.person_id)
        .where(PersonAddress.channel == bindparam("channel"), PersonAddress.address == bindparam("address"))
        .options(lazyload(Person.addresses))   # the person's other addresses only if used
        .with_for_update(of=PersonAddress)
    )

