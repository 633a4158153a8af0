"""Taking a practitioner off the service (`cyswllt practitioner remove`): nothing of theirs is left waiting."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Booking, Conversation, Practitioner, Referral, SafeguardingAlert

log = logging.getLogger(__name__)

OPEN_REFERRAL = ("submitted", "accepted", "contacted")


def remove_practitioner(session: Session, practitioner: Practitioner, now: datetime, *, referrals,
                        safeguarding) -> dict[str, int]:
    """Deactivate and unlink them; their open referrals go back to the team's round robin; their
    unacknowledged alerts escalate now; their open attendance questions go to the referral's new
    holder. Returns how many of each were moved (for the operator)."""
    practitioner.active = False
    practitioner.removed_at = now
    practitioner.link_code_hash = None
    practitioner.link_code_expires_at = None
    chat_person_id, practitioner.person_id = practitioner.person_id, None
    if chat_person_id is not None:
        # Their chat is an ordinary one now: it starts again at the menu, not in the practitioner flow.
        conversation = session.scalar(select(Conversation).where(Conversation.person_id == chat_person_id))
        if conversation is not None and conversation.flow == "practitioner":
            conversation.flow, conversation.state, conversation.updated_at = "menu", {"step": "home"}, now
    session.flush()
    moved = {"referrals": 0, "alerts": 0, "nudges": 0}
    for referral in session.scalars(select(Referral).where(
            Referral.practitioner_id == practitioner.id, Referral.status.in_(OPEN_REFERRAL)).order_by(Referral.id)):
        referrals.reroute(session, referral, now)   # unrouted ones are routed again by due work
        moved["referrals"] += 1
    for alert in session.scalars(select(SafeguardingAlert).where(SafeguardingAlert.status == "open")
                                 .order_by(SafeguardingAlert.id)).all():
        if practitioner.id in (alert.alerted or []):
            with session.begin_nested():
                safeguarding.escalate_now(session, alert, now)
            moved["alerts"] += 1
    for booking in session.scalars(select(Booking).where(Booking.practitioner_id == practitioner.id,
                                                         Booking.status == "booked")):
        holder = session.scalar(select(Referral.practitioner_id).where(
            Referral.person_id == booking.person_id, Referral.status.in_(OPEN_REFERRAL))
            .order_by(Referral.id.desc()).limit(1))
        booking.practitioner_id = holder
        if booking.nudge_sent_at is not None:
            booking.nudge_sent_at = booking.nudge_reminded_at = None   # asked again, of the new holder
        moved["nudges"] += 1
    log.info("practitioner removed", extra={"practitioner_id": practitioner.id, **moved})
    return moved
