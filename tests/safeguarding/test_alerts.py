"""Alerts practitioners can act on: every alert and concern note names the tier, the category and
the person's language; a Welsh writer's alert to someone who may not read Welsh says so; the first
alert and escalation prefer colleagues who read Welsh for someone who writes in Welsh."""
from __future__ import annotations

from storage.models import SafeguardingAlert
from tests.safeguarding.tier_messages import ABUSE, CLEAR, POSSIBLE
from tests.support.team import linked_practitioner

WELSH_WARNING = "They write in WELSH and you may not read Welsh"


def team(bot, welsh_lead=False):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True, rank=1)
    bryn = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902", rank=2)
    ceri = linked_practitioner(bot, "Ceri", "Caerdydd", "+447700900903", rank=3, language="cy",
                               lead=welsh_lead)
    return alys, bryn, ceri


def test_an_alert_names_the_tier_the_category_and_the_language(bot):
    alys, _, _ = team(bot)
    bot.speaking("en")
    bot.send(CLEAR["en"])
    alys.deliver().expect("Tier: clear disclosure (urgent). Category: suicide. Their language: English.",
                          absent=(WELSH_WARNING,))
    bot.send(ABUSE["en"])  # a further message while the alert is open carries them too
    alys.deliver().expect_key("safeguarding.alert_further", lang="en").expect("Tier: clear disclosure (urgent)")


def test_an_abuse_alert_names_its_category(bot):
    alys, _, _ = team(bot)
    bot.speaking("en")
    bot.send(ABUSE["en"])
    alys.deliver().expect("Category: abuse or domestic violence")
    assert bot.rows(SafeguardingAlert)[0].category == "abuse"


def test_a_concern_note_names_them_too(bot):
    alys, _, _ = team(bot)
    bot.speaking("en")
    bot.send(POSSIBLE["en"])
    alys.deliver().expect_key("concern.note", lang="en").expect("Tier: possible risk (gentle check sent). Category: suicide. "
                          "Their language: English.")


def test_a_welsh_writers_alert_to_someone_who_may_not_read_welsh_says_so(bot):
    alys, _, _ = team(bot)
    bot.speaking("cy")
    bot.send(CLEAR["cy"])
    alys.deliver().expect_key("safeguarding.alert", lang="en").expect("Their language: Welsh.", WELSH_WARNING).expect_lang("en")
    [alert] = bot.rows(SafeguardingAlert)
    assert (alert.language, alert.tier, alert.category) == ("cy", "clear", "suicide")


def test_before_choosing_a_language_a_welsh_writer_counts_as_welsh(bot):
    alys, _, _ = team(bot)
    bot.send(CLEAR["cy"]).expect_key("safeguarding.crisis", lang="cy")
    alys.deliver().expect("Their language: Welsh.", WELSH_WARNING)


def test_a_welsh_reading_lead_gets_a_welsh_writers_alert_first_in_welsh(bot):
    alys, _, ceri = team(bot, welsh_lead=True)
    bot.speaking("cy")
    bot.send(CLEAR["cy"])
    ceri.deliver().expect_key("safeguarding.alert", lang="cy").expect("Haen: datgeliad clir (brys). Categori: hunanladdiad. Eu hiaith: Cymraeg.", absent=("GYMRAEG ac efallai",)).expect_lang("cy")
    alys.deliver().expect_nothing()


def test_escalation_prefers_a_welsh_speaking_colleague_for_a_welsh_speaker(bot):
    alys, bryn, ceri = team(bot)
    bot.speaking("cy")
    bot.send(CLEAR["cy"])
    alys.deliver().expect(WELSH_WARNING)  # the lead is asked first, and told
    bot.advance("15m")
    bryn.deliver().expect_nothing()
    ceri.deliver().expect_key("safeguarding.alert_escalated", lang="cy").expect("Alys", "Eu hiaith: Cymraeg").expect_lang("cy")
    bot.advance("15m")
    bryn.deliver().expect_key("safeguarding.alert_escalated", lang="en").expect(WELSH_WARNING)


def test_an_english_speakers_escalation_keeps_the_teams_order(bot):
    alys, bryn, ceri = team(bot)
    bot.speaking("en")
    bot.send(CLEAR["en"])
    alys.deliver().expect_key("safeguarding.alert", lang="en")
    bot.advance("15m")
    bryn.deliver().expect_key("safeguarding.alert_escalated", lang="en").expect(absent=(WELSH_WARNING,))
    ceri.deliver().expect_nothing()
