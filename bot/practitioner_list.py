"""A practitioner's LIST: their open referrals and their team's unacknowledged safeguarding alerts."""
from __future__ import annotations

from sqlalchemy import or_, select

from bot.catalog import Catalog
from flows.base import Say
from flows.practitioner import PractitionerAnswer
from storage.models import Person, Practitioner, Referral, SafeguardingAlert

STATUS_LABELS = {"submitted": "referral.status_submitted", "accepted": "referral.status_accepted",
                 "contacted": "referral.status_contacted"}


class PractitionerList:
    """Handles the practitioner action "list" (LIST / RHESTR)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def __call__(self, turn, practitioner: Practitioner, answer: PractitionerAnswer):
        session = turn.session
        person = session.get(Person, practitioner.person_id) if practitioner.person_id else None
        language = (person.language if person else None) or practitioner.language
        alerts = session.scalars(select(SafeguardingAlert).where(
            SafeguardingAlert.status == "open",
            or_(SafeguardingAlert.team_id == practitioner.team_id, SafeguardingAlert.team_id.is_(None)),
        ).order_by(SafeguardingAlert.id)).all()
        referrals = session.scalars(select(Referral).where(
            Referral.practitioner_id == practitioner.id, Referral.status.in_(tuple(STATUS_LABELS)),
        ).order_by(Referral.id)).all()
        if not alerts and not referrals:
            turn.reply(Say("practitioner.nothing_open"))
            return None
        lines = [self.catalog.text("referral.list_alert", language, id=a.id, text=a.excerpt[:80]) for a in alerts]
        for referral in referrals:
            days = (turn.now - (referral.submitted_at or referral.created_at)).days
            status = self.catalog.text(STATUS_LABELS[referral.status], language)
            lines.append(self.catalog.text("referral.list_referral", language, id=referral.id, status=status,
                                           days=days))
        turn.reply(Say("referral.practitioner_list", items="\n".join(lines)))
        return None
