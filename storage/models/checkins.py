"""Wellbeing check-ins (planned waves, answers, scores), contact times, and bookings with their nudges."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONValue, UTCDateTime


class Checkin(Base):
    """One wave of questionnaires for one person: planned, offered, answered, expired or cancelled."""

    __tablename__ = "checkin"
    # One baseline, one 6-week... per person: planning twice plans once.
    __table_args__ = (
        UniqueConstraint("person_id", "wave"),
        Index("ix_checkin_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False)
    wave: Mapped[str] = mapped_column(String(24), nullable=False)      # baseline, week6, week12, extra2...
    questionnaires: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    # planned -> offered -> in_progress -> completed; or expired / cancelled
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class CheckinAnswer(Base):
    """One item's answer: a value, or skipped / declined ("prefer not to say")."""

    __tablename__ = "checkin_answer"
    __table_args__ = (UniqueConstraint("checkin_id", "questionnaire", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin.id", ondelete="CASCADE"), index=True, nullable=False)
    questionnaire: Mapped[str] = mapped_column(String(32), nullable=False)
    item: Mapped[str] = mapped_column(String(48), nullable=False)
    value: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False)   # answered, skipped, declined
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class CheckinScore(Base):
    """One measure of one questionnaire at one wave, with the change from the person's baseline."""

    __tablename__ = "checkin_score"
    __table_args__ = (UniqueConstraint("checkin_id", "questionnaire", "measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin.id", ondelete="CASCADE"), index=True, nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False)
    wave: Mapped[str] = mapped_column(String(24), nullable=False)
    questionnaire: Mapped[str] = mapped_column(String(32), nullable=False)
    measure: Mapped[str] = mapped_column(String(48), nullable=False)
    raw: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(24))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    change: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ContactPreference(Base):
    """When a person would rather be contacted unprompted (local times), if they said."""

    __tablename__ = "contact_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True, nullable=False)
    start: Mapped[str] = mapped_column(String(5), nullable=False)     # HH:MM
    end: Mapped[str] = mapped_column(String(5), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Booking(Base):
    """A person referred to an activity on a date; the practitioner is asked afterwards if they went."""

    __tablename__ = "booking"
    __table_args__ = (Index("ix_booking_status_nudge", "status", "nudge_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True, nullable=False)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id", ondelete="SET NULL"), index=True)
    asset_ref: Mapped[str] = mapped_column(String(120), nullable=False)
    activity_cy: Mapped[str] = mapped_column(String(200), nullable=False)
    activity_en: Mapped[str] = mapped_column(String(200), nullable=False)
    # How the practitioner knows the person ("Did Sam attend..."); None: "the person you referred".
    first_name: Mapped[str | None] = mapped_column(String(80))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    remind_person: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # booked (waiting for an answer), attended, did_not_attend, not_yet, withdrew, cancelled
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="booked")
    nudge_due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    nudge_round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    nudge_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudge_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
