"""Practitioner teams, practitioners, and what a person has agreed to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, JSONValue, UTCDateTime


class Team(Base):
    """A social prescribing team; referrals are routed to it by postcode area or district."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    # Postcode areas ("CF") or districts ("CF10") this team covers.
    postcode_areas: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    practitioners: Mapped[list[Practitioner]] = relationship(back_populates="team", lazy="selectin")


class Practitioner(Base):
    """A social prescribing practitioner, reached in the chat once they have linked an address."""

    __tablename__ = "practitioner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True, nullable=False)
    # The chat identity (a Person row) they linked with a one-time code.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    safeguarding_lead: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Their place in the team's escalation list: lower is asked first.
    escalation_rank: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="en")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # The languages they can work in ("cy", "en"): a person who chose Welsh goes to a Welsh speaker.
    speaks: Mapped[list] = mapped_column(JSONValue, nullable=False, default=list, server_default="[]")
    # When `cyswllt practitioner remove` took them off (they are then inactive and unlinked).
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    team: Mapped[Team] = relationship(back_populates="practitioners")


class Consent(Base):
    """A person's answer to storing what they share (special-category data), and when."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    given: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
