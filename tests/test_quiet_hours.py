"""Quiet hours hold in local time, on both sides of the clocks changing."""
from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from bot.quiet_hours import next_allowed, parse_hhmm

UTC = timezone.utc


@pytest.mark.parametrize("when, expected", [
    # Winter (GMT = UTC)
    (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), datetime(2026, 1, 15, 12, 0, tzinfo=UTC)),
    (datetime(2026, 1, 15, 22, 0, tzinfo=UTC), datetime(2026, 1, 16, 9, 0, tzinfo=UTC)),
    (datetime(2026, 1, 15, 3, 0, tzinfo=UTC), datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),
    # Summer (BST = UTC+1): 09:00 local is 08:00 UTC; 20:00 local is 19:00 UTC
    (datetime(2026, 7, 1, 7, 30, tzinfo=UTC), datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
    (datetime(2026, 7, 1, 19, 0, tzinfo=UTC), datetime(2026, 7, 2, 8, 0, tzinfo=UTC)),
    (datetime(2026, 7, 1, 18, 59, tzinfo=UTC), datetime(2026, 7, 1, 18, 59, tzinfo=UTC)),
    # Night before the clocks go forward (29 March 2026): the morning is in BST
    (datetime(2026, 3, 28, 21, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
    # Night before the clocks go back (25 October 2026): the morning is in GMT
    (datetime(2026, 10, 24, 20, 0, tzinfo=UTC), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
])
def test_next_allowed(when, expected):
    assert next_allowed(when) == expected


def test_configured_hours():
    when = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert next_allowed(when, start=parse_hhmm("07:30"), end=parse_hhmm("21:00")) == when
    assert parse_hhmm("09:00") == time(9)
