"""Practitioners: one-time link codes, who a practitioner is in the chat, and their answers."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.person_facts import FactColumns
from flows.base import Event, Say
from flows.consent import RecordConsent
from flows.practitioner import PractitionerAnswer
from storage.models import Consent, Person, Practitioner, Team

# Unambiguous letters and digits only: codes are read off a screen and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_COMMAND = re.compile(r"^\s*/?(?:link|cysylltu)(?:@\w+)?\s+([A-Za-z0-9-]{4,24})\s*$", re.IGNORECASE)

# A feature's answer to a practitioner's button or text: (turn, practitioner, answer) -> event | None.
ActionHandler = Callable[[Any, Practitioner, PractitionerAnswer], "Event | None"]


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def new_link_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def link_code_in(text: str) -> str | None:
    """The code in "LINK ABCD-2345" or "/link ABCD-2345", if the message is one."""
    found = LINK_COMMAND.match(text or "")
    return found.group(1) if found else None


def add_practitioner(session: Session, name: str, team_name: str, now: datetime, *,
                     areas: list[str] | None = None, safeguarding_lead: bool = False,
                     escalation_rank: int = 100, language: str = "en", speaks: list[str] | None = None,
                     code_ttl: timedelta = timedelta(hours=72)) -> tuple[Practitioner, str]:
    """Create (or find) the team and the practitioner; return them with a fresh one-time code."""
    team = session.scalar(select(Team).where(Team.name == team_name))
    if team is None:
        team = Team(name=team_name, postcode_areas=[], created_at=now)
        session.add(team)
    if areas:
        team.postcode_areas = sorted({a.strip().upper() for a in areas if a.strip()})
    practitioner = Practitioner(name=name, team=team, safeguarding_lead=safeguarding_lead,
                                escalation_rank=escalation_rank, language=language, active=True,
                                speaks=sorted(set(speaks or [language])), created_at=now)
    session.add(practitioner)
    code = issue_link_code(practitioner, now, code_ttl)
    session.flush()
    return practitioner, code


def issue_link_code(practitioner: Practitioner, now: datetime, ttl: timedelta) -> str:
    code = new_link_code()
    practitioner.link_code_hash = _hash(code)
    practitioner.link_code_expires_at = now + ttl
    return code


def redeem_link_code(session: Session, code: str, person: Person, now: datetime) -> Practitioner | None:
    """Link this chat identity to the practitioner whose live code this is; None if no such code."""
    practitioner = session.scalar(select(Practitioner).where(Practitioner.link_code_hash == _hash(code)))
    if practitioner is None or not practitioner.active:
        return None
    if practitioner.link_code_expires_at is None or practitioner.link_code_expires_at < now:
        return None
    previous = session.scalar(select(Practitioner).where(Practitioner.person_id == person.id))
    if previous is not None and previous.id != practitioner.id:
        previous.person_id = None
    practitioner.person_id = person.id
    practitioner.linked_at = now
    practitioner.link_code_hash = None
    practitioner.link_code_expires_at = None
    if not person.language:
        person.language = practitioner.language
        person.language_recorded_at = now
    return practitioner


def practitioner_for(session: Session, person_id: int) -> Practitioner | None:
    return session.scalar(select(Practitioner).where(Practitioner.person_id == person_id,
                                                     Practitioner.active.is_(True)))


def has_consented(session: Session, person_id: int) -> bool:
    latest = session.scalar(select(Consent).where(Consent.person_id == person_id)
                            .order_by(Consent.recorded_at.desc(), Consent.id.desc()).limit(1))
    return bool(latest and latest.given)


def _fact_columns(person_id) -> dict[str, Any]:
    return {
        "practitioner_id": select(Practitioner.id).where(Practitioner.person_id == person_id,
                                                         Practitioner.active.is_(True))
        .order_by(Practitioner.id).limit(1).scalar_subquery(),
        "consented": select(Consent.given).where(Consent.person_id == person_id)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc()).limit(1).scalar_subquery(),
    }


def _read_facts(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return {
        "is_practitioner": values["practitioner_id"] is not None,
        "practitioner_id": values["practitioner_id"],
        "consented": bool(values["consented"]),
    }


# What flows may know about who is writing: a practitioner? consented to keep their data?
person_facts = FactColumns(_fact_columns, _read_facts)


def record_consent(turn, effect: RecordConsent) -> None:
    turn.session.add(Consent(person_id=turn.person.id, given=effect.given, recorded_at=turn.now))
    turn.facts["consented"] = effect.given


class PractitionerActions:
    """Routes a practitioner's answer to the feature that owns its action name."""

    def __init__(self, handlers: Mapping[str, ActionHandler] | None = None):
        self.handlers = dict(handlers or {})

    def register(self, action: str, handler: ActionHandler) -> None:
        self.handlers[action] = handler

    def __call__(self, turn, answer: PractitionerAnswer) -> Event | None:
        practitioner = practitioner_for(turn.session, turn.person.id)
        if practitioner is None:
            turn.reply(Say("practitioner.not_linked"))
            return None
        handler = self.handlers.get(answer.action)
        if handler is None:
            key = "practitioner.nothing_open" if answer.action == "list" else "practitioner.unknown_action"
            turn.reply(Say(key))
            return None
        return handler(turn, practitioner, answer)


def reads_welsh(practitioner: Practitioner) -> bool:
    """Whether this practitioner can work in Welsh (routing for the Active Offer).

    From the languages they speak (`cyswllt practitioner add --speaks cy,en`), or, for those
    added before that was recorded, the language they chose for their own messages.
    """
    return "cy" in (practitioner.speaks or []) or practitioner.language == "cy"
