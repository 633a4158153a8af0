"""Self-referrals, the team round-robin pointer, safeguarding alerts and their step-by-step log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONValue, UTCDateTime


class Referral(Base):
    """A person's self-referral, routed to a team and a practitioner, and what became of it."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    # draft -> submitted -> accepted -> contacted; or not_appropriate, redirected, abandoned, withdrawn.
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    route: Mapped[str] = mapped_column(String(20), nullable=False, default="self")
    source: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"), index=True)
    # What the person told us (only ever stored with their consent); emptied on withdrawal.
    answers: Mapped[dict] = mapped_column(JSONValue, nullable=False, default=dict)
    postcode_area: Mapped[str | None] = mapped_column(String(8))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # The last answer (drafts): an unfinished referral is reminded once, then closed as abandoned.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TeamRotation(Base):
    """Where a team's round robin stands: the practitioner who was given the last referral."""

    __tablename__ = "team_rotation"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    last_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SafeguardingAlert(Base):
    """A possible risk disclosure: who must acknowledge it, and how far it has escalated."""

    __tablename__ = "safeguarding_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_message.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    excerpt: Mapped[str] = mapped_column(Text, nullable=False)
    # What flagged it: phrase categories and/or "nlu".
    detected_by: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    # open -> acknowledged; "no_contact" when nobody could be alerted (an operator must act).
    # A concern (tier "possible"): checking -> safe or unanswered, or -> open when it moves to clear.
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    # Practitioner ids alerted so far, in order.
    alerted: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id", ondelete="SET NULL"))
    # "clear" (crisis reply, urgent alert) or "possible" (gentle check, concern note); a concern
    # that moves to clear keeps its row and changes tier.
    tier: Mapped[str] = mapped_column(String(16), nullable=False, default="clear", server_default="clear")
    # The primary category: suicide, self_harm, abuse, immediate_danger.
    category: Mapped[str | None] = mapped_column(String(24))
    # The person's language of choice when raised ("cy", "en"; else the language they wrote in).
    language: Mapped[str | None] = mapped_column(String(8))


class AlertEvent(Base):
    """One step in an alert's life (raised, sent, escalated, acknowledged...): the audit log."""

    __tablename__ = "alert_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_alert.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id", ondelete="SET NULL"))
    detail: Mapped[dict] = mapped_column(JSONValue, nullable=False, default=dict)
