"""People, their conversations, the inbox, the outbox and Core Data Set events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.dataset.promoted import REPORT_INDEX, promote
from storage.models.base import Base, JSONValue, UTCDateTime


class Person(Base):
    """Someone who uses the service; reached at one or more channel addresses."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random key that stands for the person in the Core Data Set; it outlives erasure.
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    language: Mapped[str | None] = mapped_column(String(2))
    language_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    addresses: Mapped[list[PersonAddress]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class PersonAddress(Base):
    """One channel address (a phone number, a Telegram chat id) belonging to a person."""

    __tablename__ = "person_address"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="addresses")


class Conversation(Base):
    """Where a person is in the conversation: the current flow and its state."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    flow: Mapped[str] = mapped_column(String(32), nullable=False)
    state: Mapped[dict] = mapped_column(JSONValue, nullable=False, default=dict)
    # The options last offered, so "2" or "English" can be read as a choice.
    pending_options: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    # Flows set aside (for example by a safeguarding pause), most recent last.
    paused: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class InboundMessage(Base):
    """A message received from a channel; the provider id makes redelivery harmless."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    provider_id: Mapped[str] = mapped_column(String(64), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)
    choice: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="processed")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class OutboundMessage(Base):
    """A message waiting to be sent, or sent (the outbox)."""

    __tablename__ = "outbound_message"
    __table_args__ = (
        Index("ix_outbound_message_due", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    language: Mapped[str | None] = mapped_column(String(5))
    # What the body says, as the flow said it (migration 0012_outbound_key): the catalog key and
    # its parameters, so tests and audits read what was sent without reading translated copy.
    catalog_key: Mapped[str | None] = mapped_column(String(120))
    params: Mapped[dict | None] = mapped_column(JSONValue)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    # A job that may run twice writes its rows under a key, so they are queued once.
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    # The STOP confirmation itself is the one message sent to someone who opted out.
    ignore_opt_out: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    provider_status: Mapped[str | None] = mapped_column(String(16))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set while a sender is handing the row to the provider (migration 0003_channels); a row
    # still "sending" after this time was interrupted by a crash (see bot/sender.py).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SMS segments the provider will bill and rate-limit (migration 0003_channels).
    segments: Mapped[int | None] = mapped_column(Integer)
    # Higher goes first, before any other queued row (migration 0009_core): safeguarding replies
    # and alerts (catalog keys "safeguarding.*") are PRIORITY_URGENT, set when the row is queued.
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # Due outside a channel's customer-service window (WhatsApp's 24 hours), the row goes as this
    # approved template, {"content_sid": .., "variables": {"1": ..}} (migration 0013_whatsapp).
    # None is SQL NULL (not JSON null), so "no template" is what retention and queries see as empty.
    template: Mapped[dict | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql"))


def _promoted(name: str):
    """A column default: the field `name` promoted from the row's statement and value."""
    def default(context) -> object:
        row = context.get_current_parameters()
        return promote(row.get("statement"), row.get("value"))[name]
    return default


class DataSetEvent(Base):
    """One piece of Core Data Set evidence, named by its Appendix Five statement number."""

    __tablename__ = "dataset_event"
    # The report reads a statement's events in a period from this index alone (migration 0011_report_columns).
    __table_args__ = (Index("ix_dataset_event_report", *REPORT_INDEX),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    # The person's pseudonym, kept when the person is erased so their events still pair up.
    subject_key: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    value: Mapped[dict] = mapped_column(JSONValue, nullable=False, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str | None] = mapped_column(String(32))
    # The fields the report counts, copied from `value` on every insert (storage/dataset/promoted.py).
    instrument: Mapped[str | None] = mapped_column(Text, default=_promoted("instrument"))
    wave: Mapped[str | None] = mapped_column(Text, default=_promoted("wave"))
    answer: Mapped[str | None] = mapped_column(Text, default=_promoted("answer"))
    amount: Mapped[float | None] = mapped_column(Float, default=_promoted("amount"))
    flag: Mapped[bool | None] = mapped_column(Boolean, default=_promoted("flag"))
