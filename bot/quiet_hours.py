"""Quiet hours: a message due at night waits for the morning, in local time across DST changes."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def next_allowed(when: datetime, *, timezone: str = "Europe/London", start: time = time(9),
                 end: time = time(20)) -> datetime:
    """The first moment at or after `when` that falls inside the allowed hours [start, end)."""
    zone = ZoneInfo(timezone)
    local = when.astimezone(zone)
    if start <= local.time() < end:
        return when
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    # Built from the wall clock, so 09:00 is 09:00 whether the day is in GMT or BST.
    return datetime.combine(day, start, tzinfo=zone).astimezone(when.tzinfo)
