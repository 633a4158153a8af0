""""When is best to contact you?" becomes the person's own hours for every unprompted message."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.send_policy import when_allowed
from storage.models import ContactPreference
from tests.support.referral import finish_quickly, start_referral

LONDON = ZoneInfo("Europe/London")


def test_an_evening_answer_holds_unprompted_messages_until_the_evening(bot, app):
    start_referral(bot)
    finish_quickly(bot, answers={"contact_how": "text me", "contact_when": "evenings please"})
    [preference] = bot.rows(ContactPreference)
    assert (preference.start, preference.end) == ("17:00", "20:00")
    with app.sessions() as session:
        morning = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
        allowed = when_allowed(session, app.settings, bot.person().id, morning)
    assert allowed.astimezone(LONDON).hour == 17 and allowed.astimezone(LONDON).date() == morning.date()


def test_any_time_leaves_only_the_quiet_hours(bot):
    start_referral(bot)
    finish_quickly(bot, answers={"contact_how": "text me", "contact_when": "any time"})
    assert bot.rows(ContactPreference) == []
