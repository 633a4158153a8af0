"""Requests people make about their data (UK GDPR), waiting for a practitioner to confirm."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class ErasureRequest(Base):
    """Someone asked us to delete their data; a practitioner confirms it with `cyswllt person erase`."""

    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Emptied when the person is erased, so the request itself holds nothing about them.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending, done, cancelled
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboundSubject(Base):
    """A message sent to someone else (a practitioner) that carries this person's data.

    The outbox row is addressed to the practitioner, so only this link lets erasure find and
    redact it and subject access show it.
    """

    __tablename__ = "outbound_subject"

    outbound_id: Mapped[int] = mapped_column(
        ForeignKey("outbound_message.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
