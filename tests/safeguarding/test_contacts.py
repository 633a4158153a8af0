"""Crisis contacts by topic (config/safeguarding/crisis_contacts.yml): Live Fear Free for abuse,
the Welsh Samaritans line first in Welsh, and a crisis reply short enough for SMS."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.catalog import Catalog
from bot.config_check import check_settings
from bot.safeguarding import ContactsError, load_contacts
from bot.service_hours import ServiceHours
from bot.settings import load_settings
from bot.sms_segments import measure
from tests.safeguarding.tier_messages import ABUSE, CLEAR
from tests.support.team import linked_practitioner

SETTINGS = load_settings(environ={})
CONTACTS = load_contacts(SETTINGS.safeguarding.contacts_file)
MONDAY_MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
MONDAY_NIGHT = datetime(2026, 3, 2, 22, 0, tzinfo=timezone.utc)
WELSH_SEGMENTS = 6


@pytest.mark.parametrize("language,fragments", [
    ("en", ("Live Fear Free 0808 80 10 800 (24/7)", "999")),
    ("cy", ("Byw Heb Ofn 0808 80 10 800 (24/7)", "999")),
])
def test_abuse_gets_live_fear_free_and_999_in_both_languages(bot, language, fragments):
    linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True)
    bot.speaking(language)
    bot.send(ABUSE[language]).expect(*fragments).expect_lang(language)


@pytest.mark.parametrize("language,first,also", [
    ("cy", "Samariaid Cymraeg 0808 164 0123", ("999", "116 123", "GIG 111, pwyswch 2", "0800 132 737", "85258")),
    ("en", "999 if you are in danger now", ("116 123", "0808 164 0123", "NHS 111, press 2", "0800 132 737", "85258")),
])
def test_suicide_keeps_the_list_and_the_welsh_reply_leads_with_the_welsh_samaritans_line(bot, language, first, also):
    linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", lead=True)
    bot.speaking(language)
    reply = bot.send(CLEAR[language]).expect(*also, absent=("Live Fear Free", "Byw Heb Ofn"))
    contact_lines = [line for line in reply.text.splitlines() if line.startswith("- ")]
    assert contact_lines[0] == f"- {first}"


@pytest.mark.parametrize("topic", sorted(CONTACTS.topics))
@pytest.mark.parametrize("now", [MONDAY_MORNING, MONDAY_NIGHT], ids=["in_hours", "out_of_hours"])
def test_the_crisis_reply_fits_six_segments_in_welsh_without_losing_a_letter(topic, now):
    catalog = Catalog.load()
    hours = ServiceHours.from_settings(SETTINGS.service)
    team_key = "safeguarding.team_working" if hours.is_open(now) else "safeguarding.team_not_working"
    sizes = {}
    for language in ("cy", "en"):
        contacts = CONTACTS.lines(topic, language)
        body = catalog.text("safeguarding.crisis", language, contacts=contacts,
                            team=catalog.text(team_key, language, hours=hours.describe(catalog, language)))
        # Every contact goes as written, letters and all: shorter only by saying less.
        assert contacts in body
        sizes[language] = measure(body)
    print(topic, now.time(), sizes)
    assert sizes["cy"].segments <= WELSH_SEGMENTS
    assert sizes["en"].encoding == "GSM-7" and sizes["en"].segments <= 3


def test_every_contact_has_a_source_and_a_review_date():
    for name, entry in CONTACTS.contacts.items():
        assert entry["source"].startswith("https://"), name
        assert isinstance(entry["review_by"], date), name
    assert CONTACTS.review_due(date(2027, 6, 1)) == sorted(CONTACTS.contacts, key=list(CONTACTS.contacts).index)
    assert CONTACTS.review_due(date(2026, 12, 4)) == []


def test_a_contact_without_a_source_or_review_date_is_refused_naming_the_file(tmp_path):
    file = tmp_path / "contacts.yml"
    file.write_text("contacts:\n  a: {en: x, cy: y}\ntopics:\n  default: {en: [a], cy: [a]}\n", encoding="utf-8")
    with pytest.raises(ContactsError, match="contacts.yml.*source"):
        load_contacts(file)
    file.write_text("contacts:\n  a: {en: x, cy: y, source: s, review_by: 2027-01-01}\n"
                    "topics:\n  default: {en: [a], cy: [b]}\n", encoding="utf-8")
    with pytest.raises(ContactsError, match="unknown contacts"):
        load_contacts(file)


def test_config_check_reports_contacts_past_review_and_impossible_service_hours(tmp_path):
    file = tmp_path / "contacts.yml"
    file.write_text("contacts:\n  a: {en: x, cy: y, source: s, review_by: 2020-01-01}\n"
                    "topics:\n  default: {en: [a], cy: [a]}\n", encoding="utf-8")
    settings = load_settings(environ={"CYSWLLT_SAFEGUARDING_CONTACTS_FILE": str(file),
                                      "CYSWLLT_SERVICE_HOURS_START": "18:00"})
    found = {f.setting: f for f in check_settings(settings)}
    assert "past their review date: a" in found["CYSWLLT_SAFEGUARDING_CONTACTS_FILE"].message
    assert found["CYSWLLT_SERVICE_HOURS_END"].level == "error"
    assert not [f for f in check_settings(SETTINGS) if "SERVICE_HOURS" in f.setting or "CONTACTS" in f.setting]
