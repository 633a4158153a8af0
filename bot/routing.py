"""Which team covers a postcode, and whose turn it is in that team's round robin."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.postcodes import Postcode
from bot.practitioners import reads_welsh
from storage.models import Practitioner, Team, TeamRotation


def team_for_postcode(session: Session, postcode: Postcode | None, default_team: str = "") -> Team | None:
    """The team covering this district, else its area, else the configured default, else the first."""
    teams = session.scalars(select(Team).order_by(Team.id)).all()
    if postcode is not None:
        for wanted in (postcode.district, postcode.area):
            for team in teams:
                if wanted in {a.upper() for a in team.postcode_areas or []}:
                    return team
    if default_team:
        for team in teams:
            if team.name == default_team:
                return team
    return teams[0] if teams else None


def reachable(practitioners: list[Practitioner]) -> list[Practitioner]:
    """Active practitioners who have linked a chat, so a message can reach them."""
    return [p for p in practitioners if p.active and p.person_id is not None]


def next_in_rotation(session: Session, team: Team, now: datetime, welsh: bool = False) -> Practitioner | None:
    """The next reachable practitioner after the one given the last referral; the pointer moves on.

    `welsh`: the person chose Welsh, so the rotation is among the team's Welsh speakers when it
    has any (the Active Offer), and the whole team otherwise.
    """
    candidates = sorted(reachable(list(team.practitioners)), key=lambda p: p.id)
    if not candidates:
        return None
    if welsh:
        candidates = [p for p in candidates if reads_welsh(p)] or candidates
    # Locked on PostgreSQL so two referrals at once cannot both take the same turn.
    rotation = session.get(TeamRotation, team.id, with_for_update=True)
    if rotation is None:
        rotation = TeamRotation(team_id=team.id, updated_at=now)
        session.add(rotation)
    last = rotation.last_practitioner_id or 0
    chosen = next((p for p in candidates if p.id > last), candidates[0])
    rotation.last_practitioner_id = chosen.id
    rotation.updated_at = now
    return chosen
