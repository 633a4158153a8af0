"""One person, several addresses: the same phone number on SMS and on WhatsApp is one person."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot.channels.registry import same_number
from storage.models import PersonAddress


def link_same_number(session: Session, channel: str, address: str, now: datetime) -> bool:
    """A new address with a phone number someone already writes from on another channel becomes
    theirs too (their conversation carries on). Replies go where they last wrote from
    (bot/outbox.py, preferred_address). False if nobody has the number."""
    others = same_number(channel, address)
    if not others:
        return False
    known = session.scalars(select(PersonAddress.person_id).where(
        tuple_(PersonAddress.channel, PersonAddress.address).in_(others))).first()
    if known is None:
        return False
    session.add(PersonAddress(person_id=known, channel=channel, address=address, created_at=now, last_seen_at=now))
    session.flush()
    return True
