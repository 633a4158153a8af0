"""STOP pauses check-ins; START resumes what is still due and drops, saying so, what expired meanwhile (item 3)."""
from __future__ import annotations

import pytest

from storage.models import Checkin
from tests.support.referral import finish_quickly, start_referral


def _statuses(bot):
    return {c.wave: c.status for c in bot.rows(Checkin)}


@pytest.mark.parametrize("language, stop, start", [("en", "STOP", "START"), ("cy", "STOPIO", "DECHRAU")])
def test_stop_then_start_keeps_what_is_still_due(bot, language, stop, start):
    start_referral(bot, language)
    finish_quickly(bot)
    assert set(_statuses(bot).values()) <= {"planned", "offered"}
    bot.send(stop)
    assert "cancelled" not in _statuses(bot).values()            # paused, not cancelled
    bot.advance("8w")                                              # baseline and week 6 expire meanwhile
    bot.send(start).expect_key("conversation.checkins_dropped", lang=language, left=1)
    statuses = _statuses(bot)
    assert statuses["baseline"] == "expired" and statuses["week6"] == "expired"
    assert statuses["week12"] == "planned"
    assert {c.closed_reason for c in bot.rows(Checkin) if c.status == "expired"} == {"opted_out"}
    bot.advance("4w1d").expect()                                   # the 12-week check-in is offered


def test_a_short_pause_loses_nothing(bot):
    start_referral(bot, "en")
    finish_quickly(bot)
    bot.send("STOP")
    bot.advance("1d")
    bot.send("START").expect_key("conversation.checkins_resumed", lang="en")
    assert "expired" not in _statuses(bot).values()
