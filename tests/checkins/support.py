"""Shared set-up for the check-in tests: people who have consented, practitioners, clocks."""
from __future__ import annotations

import uuid
from datetime import datetime

from storage.models import Consent, Person, PersonAddress


def consenting_person(app, address: str, language: str = "en", channel: str = "sms",
                      consented: bool = True) -> int:
    """A person who has chosen a language (and consented), as a referral would leave them."""
    now = app.clock.now()
    with app.sessions.begin() as session:
        person = Person(created_at=now, opted_out=False, pseudonym=uuid.uuid4().hex, language=language,
                        language_recorded_at=now)
        person.addresses.append(PersonAddress(channel=channel, address=address, created_at=now, last_seen_at=now))
        session.add(person)
        session.flush()
        if consented:
            session.add(Consent(person_id=person.id, given=True, recorded_at=now))
        return person.id


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
