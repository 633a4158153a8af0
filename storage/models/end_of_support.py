"""The end of support: a practitioner's closing of a case, and the person's end-of-support conversation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONValue, UTCDateTime


class CaseClosure(Base):
    """What the practitioner recorded when closing a person's support (statements 82, 98, 121)."""

    __tablename__ = "case_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), unique=True,
                                             nullable=False)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id", ondelete="SET NULL"))
    goals_met: Mapped[str] = mapped_column(String(8), nullable=False)        # fully, partly, not
    action_plan: Mapped[bool | None] = mapped_column(Boolean)
    onward_referrals: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class EndOfSupport(Base):
    """One person's end-of-support conversation: its answers so far and their words, if they gave any."""

    __tablename__ = "end_of_support"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"), unique=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)          # closed, final_wave
    # offered -> in_progress -> completed; or expired
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    questions: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    # {question: {"value": ..., "status": "answered"|"skipped"}}; never the free text (below).
    answers: Mapped[dict] = mapped_column(JSONValue, nullable=False, default=dict)
    # "What difference has it made?" in their own words: shown to the practitioner, never exported.
    difference_text: Mapped[str | None] = mapped_column(Text)
    quote_ok: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
