"""The day someone plans to go, as people type it in Welsh and English (today is Monday 2 March 2026)."""
from __future__ import annotations

from datetime import date

import pytest

from flows.dates import DateProblem, parse_activity_date

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize("typed, expected", [
    ("next Tuesday", date(2026, 3, 3)), ("Tuesday", date(2026, 3, 3)), ("tues", date(2026, 3, 3)),
    ("on Saturday", date(2026, 3, 7)), ("monday", date(2026, 3, 9)),          # on a Monday: next week's
    ("dydd Mawrth", date(2026, 3, 3)), ("ar ddydd Mawrth nesaf", date(2026, 3, 3)),
    ("nos Fercher", date(2026, 3, 4)), ("dydd Sadwrn yma", date(2026, 3, 7)), ("dydd Llun", date(2026, 3, 9)),
    ("today", MONDAY), ("heddiw", MONDAY), ("Tomorrow!", date(2026, 3, 3)), ("yfory", date(2026, 3, 3)),
    ("drennydd", date(2026, 3, 4)),
    ("25/12", date(2026, 12, 25)), ("25.12.26", date(2026, 12, 25)), ("25-12-2026", date(2026, 12, 25)),
    ("1/3", date(2027, 3, 1)),                                                 # this year's has passed
    ("2026-03-10", date(2026, 3, 10)),
    ("25th December", date(2026, 12, 25)), ("December 25 2026", date(2026, 12, 25)),
    ("3 Mawrth", date(2026, 3, 3)), ("3ydd o Fawrth", date(2026, 3, 3)), ("Rhagfyr 25", date(2026, 12, 25)),
    ("Tuesday 3 March", date(2026, 3, 3)), ("dydd Mawrth 3 Mawrth", date(2026, 3, 3)),
    ("Tuesday at 10am", date(2026, 3, 3)), ("dydd Mawrth am 2yp", date(2026, 3, 3)),
    ("25th December at 14:30", date(2026, 12, 25)),
])
def test_days_people_type(typed, expected):
    assert parse_activity_date(typed, MONDAY) == expected


@pytest.mark.parametrize("typed, reason", [
    ("sometime", "format"), ("next week", "format"), ("", "format"), ("25 12", "format"), ("x" * 100, "format"),
    ("31/02", "impossible"), ("1/3/2026", "past"), ("3/3/25", "past"), ("10 March 2027", "too_far"),
    ("Tuesday Wednesday", "format"),
])
def test_what_is_not_a_day_to_go_says_why(typed, reason):
    with pytest.raises(DateProblem) as problem:
        parse_activity_date(typed, MONDAY)
    assert problem.value.reason == reason
