"""A whole 12-week journey, in English by SMS and in Welsh on Telegram: offers, answers, scores, change."""
from __future__ import annotations

from datetime import date

import pytest

from bot.checkins import plan_checkins
from bot.report.figures import Figures
from storage.dataset.period import Period
from storage.dataset.catalogue import load_catalogue
from storage.models import Checkin, CheckinScore, DataSetEvent, Person
from tests.support.instruments import ask_all_three

CATALOGUE = load_catalogue()


@pytest.fixture
def settings(settings):
    # This journey asks the three original instruments at every wave, without a referral (so the
    # final wave is a plain check-in). The default waves are in tests/table2/test_waves.py.
    return ask_all_three(settings)

# Fifteen answers per wave: ONS-4 (0-10), UCLA 3 items (1-3) + direct (1-5), SWEMWBS 7 items (1-5).
BASELINE_ANSWERS = ["3", "4", "2", "8", "3", "3", "2", "1", "2", "2", "1", "2", "3", "1", "2"]
WEEK6_ANSWERS = ["5", "5", "skip", "6", "2", "2", "2", "2", "3", "3", "2", "3", "3", "2", "3"]
WEEK12_ANSWERS = ["7", "7", "6", "3", "1", "2", "1", "4", "4", "4", "3", "4", "4", "3", "4"]
WELSH_WEEK12 = ["saith", "7/10", "tua chwech", "tri", "1", "2", "1", "4", "4", "4", "3", "4", "4", "3", "4"]


def _plan(bot) -> None:
    """What the referral flow's handler does when a referral is created."""
    with bot.app.sessions.begin() as session:
        person = session.get(Person, bot.person().id)
        plan_checkins(session, person, bot.app.clock.now(), bot.app.settings)


def _answer_all(bot, answers, thanks: str, press: bool = False) -> None:
    for number, answer in enumerate(answers, 1):
        replies = bot.press(answer) if press and answer.isdigit() else bot.send(answer)
        if number < len(answers):
            replies.expect(f"({number + 1}/15)")
        else:
            replies.expect_key("checkin.thanks")


def _scores(bot, wave: str) -> dict[str, CheckinScore]:
    return {f"{s.questionnaire}.{s.measure}": s for s in bot.rows(CheckinScore, wave=wave)}


def test_twelve_weeks_in_english_by_sms(bot):
    bot.speaking("en")
    _plan(bot)
    bot.advance("1m").expect_key("checkin.offer_baseline", lang="en", count=15)
    bot.send("checkin").expect_key("consent.question", lang="en")
    bot.send("yes").expect_key("q.ons4.life_satisfaction", number=1, total=15)
    _answer_all(bot, BASELINE_ANSWERS, "Thank you for answering")

    bot.advance("3w").expect_nothing()                        # nothing between waves
    bot.advance("3w").expect_key("checkin.offer_follow_up", lang="en", count=15)
    bot.advance("1d").expect_key("checkin.reminder", lang="en")             # unanswered for a day
    bot.send("CHECKIN").expect_key("q.ons4.life_satisfaction", number=1, total=15, absent=('consent.question',))   # consent is not asked twice
    _answer_all(bot, WEEK6_ANSWERS, "Thank you for answering")
    bot.advance("1d").expect_nothing()                        # answered: no more reminders

    bot.advance("5w6d").expect_key("checkin.offer_follow_up", lang="en")
    bot.send("CHECKIN")
    _answer_all(bot, WEEK12_ANSWERS, "Thank you for answering")
    bot.advance("2w").expect_nothing()                        # the plan is over

    assert {c.wave: c.status for c in bot.rows(Checkin)} == {
        "baseline": "completed", "week6": "completed", "week12": "completed"}
    baseline, week6, week12 = _scores(bot, "baseline"), _scores(bot, "week6"), _scores(bot, "week12")
    assert baseline["ons4.life_satisfaction"].band == "low"
    assert baseline["ons4.anxiety"].band == "high"
    assert baseline["ons_loneliness.ucla3"].value == 8
    assert baseline["swemwbs.metric"].raw == 13 and baseline["swemwbs.metric"].value == 14.75
    assert week6["ons4.happiness"].value is None              # skipped: no score, no guess
    assert week12["ons4.life_satisfaction"].change == 4
    assert week12["ons4.anxiety"].change == -5
    assert week12["ons_loneliness.ucla3"].change == -4
    assert week12["swemwbs.metric"].raw == 26 and week12["swemwbs.metric"].change == round(23.21 - 14.75, 2)
    events = {(e.statement, e.value["instrument"], e.value["wave"]): e.value
              for e in bot.rows(DataSetEvent, source="checkin")}
    assert sorted(events) == sorted((statement, instrument, wave) for wave in ("baseline", "6w", "12w")
                                    for statement, instrument in ((64, "ons4"), (87, "ucla3"), (88, "ucla_isolated"),
                                                                               (91, "swemwbs")))
    assert events[(64, "ons4", "baseline")] == {"instrument": "ons4", "wave": "baseline", "life_satisfaction": 3,
                                                "worthwhile": 4, "happiness": 2, "anxiety": 8}
    assert "happiness" not in events[(64, "ons4", "6w")]          # skipped: left out, not guessed
    assert events[(87, "ucla3", "12w")]["score"] == 4
    assert events[(91, "swemwbs", "baseline")]["score"] == 14.75
    assert all(CATALOGUE.problems(statement, value) == [] for (statement, _, _), value in events.items())
    # The report pairs each person's baseline with their latest follow-up, per instrument and item.
    subject = bot.person().pseudonym
    with bot.app.sessions() as session:
        figures = Figures(session.connection(), Period.of_days(date(2026, 3, 1), date(2026, 6, 30)), CATALOGUE)
        paired = {key: (p.baseline, p.follow_up) for key, pairs in figures.paired.items() for p in pairs
                  if p.subject == subject}
    assert paired[(91, "swemwbs", "score")] == (14.75, 23.21)
    assert paired[(87, "ucla3", "score")] == (8, 4)
    assert paired[(64, "ons4", "anxiety")] == (8, 3) and paired[(64, "ons4", "happiness")] == (2, 6)
    subject = bot.person().pseudonym
    assert {e.subject_key for e in bot.rows(DataSetEvent, source="checkin")} == {subject}


def test_twelve_weeks_in_welsh_on_telegram(telegram_bot):
    bot = telegram_bot
    bot.speaking("cy")
    _plan(bot)
    bot.advance("1m").expect_lang("cy").expect_key("checkin.offer_baseline", lang="cy")
    bot.send("LLES")
    bot.send("ydw").expect_lang("cy").expect_key("q.ons4.life_satisfaction", number=1, total=15)
    _answer_all(bot, BASELINE_ANSWERS, "Diolch am ateb", press=True)
    bot.advance("6w").expect_lang("cy").expect_key("checkin.offer_follow_up", lang="cy")
    bot.send("lles")
    _answer_all(bot, WEEK6_ANSWERS, "Diolch am ateb", press=True)
    bot.advance("6w").expect_lang("cy")
    bot.send("Lles")
    _answer_all(bot, WELSH_WEEK12, "Diolch am ateb")
    week12 = _scores(bot, "week12")
    assert week12["ons4.life_satisfaction"].value == 7 and week12["ons4.happiness"].value == 6
    assert week12["ons4.anxiety"].value == 3
    assert week12["swemwbs.metric"].change == round(23.21 - 14.75, 2)
    assert {c.status for c in bot.rows(Checkin)} == {"completed"}
