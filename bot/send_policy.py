"""One send policy for every unprompted message (check-ins, referral reminders, bookings, nudges).

`when_allowed` is the first moment a message nobody asked for just now may go to a person: inside
the service's quiet hours (settings.quiet_hours, local time across DST changes), narrowed to the
person's own contact times when those fit inside them. Opt-out is the sender's to enforce, at
send time (bot/sender.py), so a STOP after a row was queued still counts. SMS and Telegram have no
provider window for unprompted messages; a channel that has one adds it here.
"""
from __future__ import annotations

from datetime import datetime, time
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.quiet_hours import next_allowed, parse_hhmm
from storage.models import ContactPreference


def send_window(settings, preference: ContactPreference | None) -> tuple[time, time]:
    """The allowed hours for unprompted messages: quiet hours, narrowed to the person's times if they fit."""
    start, end = parse_hhmm(settings.quiet_hours.start), parse_hhmm(settings.quiet_hours.end)
    if preference is not None:
        own_start, own_end = max(start, parse_hhmm(preference.start)), min(end, parse_hhmm(preference.end))
        if own_start < own_end:
            return own_start, own_end
    return start, end


def when_allowed(session: Session, settings, person_id: int | None, when: datetime,
                 preferences: Mapping[int, ContactPreference] | None = None) -> datetime:
    """The first time at or after `when` that an unprompted message may go to this person.

    `preferences`, when given, holds every relevant person's contact times (looked up in bulk).
    """
    preference = None
    if preferences is not None:
        preference = preferences.get(person_id)
    elif person_id is not None:
        preference = session.scalar(select(ContactPreference).where(ContactPreference.person_id == person_id))
    start, end = send_window(settings, preference)
    return next_allowed(when, timezone=settings.service.timezone, start=start, end=end)
