"""One send policy for every unprompted message (check-ins, referral reminders, bookings, nudges).

`when_allowed` is the first moment a message nobody asked for just now may go to a person: inside
the service's quiet hours (settings.quiet_hours, local time across DST changes), narrowed to the
person's own contact times when those fit inside them. Opt-out is the sender's to enforce, at
send time (bot/sender.py), so a STOP after a row was queued still counts.

The channel's window: a channel whose provider allows free-form messages only within some time of
the person's last message (WhatsApp: 24 hours; `ChannelSpec.window`) gets, for anything due
outside it, the approved template configured for the message's kind and language
(`whatsapp.templates`), or nothing: `form_for` holds the row (status "held", counted and logged),
never sending free-form what the provider would refuse. It is applied to every row queued to
such a channel (bot/outbox.py, queue_message), at the time the row is due (`when_allowed`'s), so
unprompted messages and alerts to practitioners alike are covered. SMS and Telegram have no window.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Mapping

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.catalog import BILINGUAL
from bot.channels import registry
from bot.metrics import HELD
from bot.quiet_hours import next_allowed, parse_hhmm
from storage.models import ContactPreference, InboundMessage, PersonAddress

log = logging.getLogger(__name__)

# A free-form message must be sent, not just queued, inside the window: one due this close to
# its end goes as a template instead (the sender may be held back by a limit, or retrying).
WINDOW_MARGIN = timedelta(hours=1)
_INBOX = InboundMessage.__table__
_ADDRESS = PersonAddress.__table__
_LAST_WRITTEN = select(func.max(_INBOX.c.received_at)).where(
    _INBOX.c.person_id == select(_ADDRESS.c.person_id).where(
        _ADDRESS.c.channel == bindparam("channel"), _ADDRESS.c.address == bindparam("address")).scalar_subquery(),
    _INBOX.c.channel == bindparam("channel"), _INBOX.c.address == bindparam("address"))


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


@dataclass(frozen=True)
class Form:
    """How a row may go on its channel: free-form, as a template, or not at all (held, and why)."""

    template: dict[str, Any] | None = None
    held: str | None = None


FREE_FORM = Form()


def set_contact_times(session: Session, person_id: int, start: str, end: str, now: datetime) -> None:
    """Record when a person would rather be contacted (local HH:MM); used for unprompted messages."""
    parse_hhmm(start), parse_hhmm(end)
    preference = session.scalar(select(ContactPreference).where(ContactPreference.person_id == person_id))
    if preference is None:
        session.add(ContactPreference(person_id=person_id, start=start, end=end, updated_at=now))
    else:
        preference.start, preference.end, preference.updated_at = start, end, now


def outside_window(session: Session, channel: str, address: str, at: datetime) -> bool:
    """Whether a message due `at` falls outside the channel's window since the person last wrote.

    The window runs from their last message to this address, as the provider counts it: the
    inbox's latest row (this turn's own, in a turn; found through the person's index).
    """
    spec = registry.spec(channel)
    if spec is None or spec.window is None:
        return False
    last = session.connection().execute(_LAST_WRITTEN, {"channel": channel, "address": address}).scalar()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=at.tzinfo)
    return last is None or at >= last + spec.window - WINDOW_MARGIN


def form_for(session: Session, catalog, channel: str, address: str, at: datetime, key: str,
             params: Mapping[str, Any], language: str) -> Form:
    """Free-form inside the channel's window; outside it the kind's approved template, or held."""
    if not outside_window(session, channel, address, at):
        return FREE_FORM
    settings = session.info.get("settings")   # bot/bootstrap.py puts it there
    templates = settings.whatsapp.templates if settings is not None else {}
    default = settings.service.default_language if settings is not None else "cy"
    lang = default if language == BILINGUAL else language
    template = templates.get(key, {}).get(lang)
    if template is None:
        HELD.labels(channel, key).inc()
        reason = f"outside the {channel} window and no template for {key} ({lang}): held, not sent"
        log.warning("%s to a %s address %s", reason, channel, "due " + at.isoformat())
        return Form(held=reason)
    variables = {str(n): catalog.fill("{" + name + "}", lang, **params)
                 for n, name in enumerate(template.variables, start=1)}
    return Form(template={"content_sid": template.content_sid, "variables": variables})
