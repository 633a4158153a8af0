"""Delivery statuses reported by providers (Twilio status callbacks), kept furthest-along first."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class DeliveryStatus(Base):
    """The furthest-along status a provider reported for one message it accepted.

    Kept apart from the outbox row because a callback can arrive before the sender has
    recorded the provider's id on the row; the sender reads this table when it records.
    """

    __tablename__ = "delivery_status"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    provider_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    error_code: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
