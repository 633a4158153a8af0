"""Check-ins as the earlier tests were written: every check-in asks the three original instruments."""
from __future__ import annotations

THREE_INSTRUMENTS = ["ons4", "ons_loneliness", "swemwbs"]   # 15 items: ONS-4, UCLA 3 + direct, SWEMWBS 7


def ask_all_three(settings):
    """By default a check-in a person starts, and every interim wave, asks ONS-4 alone
    (tests/table2/test_waves.py); these settings ask the three at every check-in."""
    settings.checkins.questionnaires = list(THREE_INSTRUMENTS)
    settings.checkins.interim_questionnaires = list(THREE_INSTRUMENTS)
    return settings
