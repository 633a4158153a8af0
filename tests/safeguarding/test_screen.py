"""Risk disclosures: the crisis reply at once, an alert that must be acknowledged and escalates."""
from __future__ import annotations

import pytest

from bot.bootstrap import build_app
from bot.safeguarding import ContactsError, load_contacts
from bot.settings import SettingsError, load_settings
from nlu.result import Parse
from storage.models import AlertEvent, DataSetEvent, OutboundMessage, SafeguardingAlert
from tests.support.conversation import ConversationDriver
from tests.support.team import linked_practitioner

CONTACTS_EN = ("999", "NHS 111, press 2", "116 123", "0808 164 0123", "0800 132 737", "81066", "85258")
CONTACTS_CY = ("999", "GIG 111, pwyswch 2", "116 123", "0808 164 0123", "0800 132 737", "81066", "85258")


def team(bot, channel=None):
    lead = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", channel=channel, lead=True, rank=1,
                               areas=["CF"])
    second = linked_practitioner(bot, "Bryn", "Caerdydd", "+447700900902", channel=channel, rank=2)
    third = linked_practitioner(bot, "Ceri", "Caerdydd", "+447700900903", channel=channel, rank=3,
                                language="cy")
    return lead, second, third


def kinds(bot):
    return [e.kind for e in bot.rows(AlertEvent)]


def test_a_disclosure_in_english_by_sms_gets_the_crisis_reply_and_alerts_the_lead(bot):
    lead, second, _ = team(bot)
    bot.speaking("en")
    reply = bot.send("I want to kill myself").expect(*CONTACTS_EN, "Thank you for telling me").expect_lang("en")
    assert "just a bot" not in reply.text.casefold()
    lead.deliver().expect_key("safeguarding.alert", alert=1).expect("I want to kill myself", "+447700900123", "ACK 1")
    second.deliver().expect_nothing()
    [alert] = bot.rows(SafeguardingAlert)
    assert alert.status == "open" and "suicide" in alert.detected_by
    [event] = bot.rows(DataSetEvent, statement=27)
    assert event.value == {"level": "urgent", "tier": "clear", "category": "suicide"}
    assert kinds(bot) == ["raised", "sent"]


def test_a_disclosure_in_welsh_on_telegram_gets_the_welsh_crisis_reply(telegram_bot):
    lead, _, _ = team(telegram_bot, channel="telegram")
    telegram_bot.speaking("cy")
    telegram_bot.send("dw i isio marw").expect(*CONTACTS_CY, "Diolch am ddweud wrtha i").expect_lang("cy")
    lead.deliver().expect_key("safeguarding.alert", lang="en").expect("dw i isio marw", "Telegram", "[1] Acknowledge")


def test_a_first_message_that_is_a_disclosure_is_answered_before_any_language_offer(bot):
    team(bot)
    bot.send("I can't go on like this, I want to die").expect("116 123", absent=("1 Cymraeg",))
    assert bot.rows(SafeguardingAlert)
    bot.send("hello").expect_key(choices=('cy', 'en'))  # the Active Offer comes afterwards


def test_an_unclear_language_gets_the_crisis_reply_in_both_languages_welsh_first(bot):
    team(bot)
    bot.send("kms").expect("Diolch am ddweud wrtha i", before="Thank you for telling me")   # Welsh first


def test_someone_who_texted_stop_still_gets_the_crisis_contacts_and_an_alert(bot):
    lead, _, _ = team(bot)
    bot.speaking("en")
    bot.send("STOP")
    bot.send("I'm going to end it all tonight").expect("116 123")
    lead.deliver().expect_key("safeguarding.alert", lang="en")
    bot.send("hello").expect_nothing()  # otherwise still opted out


def test_unacknowledged_alerts_escalate_down_the_list_and_round_again(bot, clock):
    lead, second, third = team(bot)
    bot.speaking("en")
    bot.send("he hits me and I'm scared of him")
    lead.deliver().expect_key("safeguarding.alert", lang="en")
    bot.advance("14m")
    second.deliver().expect_nothing()
    bot.advance("1m")
    second.deliver().expect_key("safeguarding.alert_escalated", lang="en", alert=1, minutes=15, previous="Alys").expect("he hits me")
    bot.advance("15m")
    third.deliver().expect_key("safeguarding.alert_escalated", lang="cy").expect("Bryn").expect_lang("cy")
    bot.advance("15m")
    lead.deliver().expect_key("safeguarding.alert_escalated", lang="en").expect("Ceri")  # the list is exhausted: back to the top
    assert kinds(bot) == ["raised", "sent", "escalated", "escalated", "list_exhausted", "escalated"]
    third.send("1").expect_key("safeguarding.alert_acknowledged", lang="cy")
    lead.deliver().expect_key("safeguarding.alert_taken", name="Ceri")
    second.deliver().expect_key("safeguarding.alert_taken", name="Ceri")
    bot.advance("1h")
    assert not [m for m in bot.rows(OutboundMessage) if "ESCALATED" in (m.body or "") and m.status == "queued"]
    assert kinds(bot)[-1] == "acknowledged"
    [alert] = bot.rows(SafeguardingAlert)
    assert alert.status == "acknowledged" and alert.next_escalation_at is None


def test_an_acknowledged_alert_does_not_escalate_and_a_second_ack_is_told_who_took_it(bot):
    lead, second, _ = team(bot)
    bot.speaking("en")
    bot.send("self harm")
    lead.press("alert:1:ack").expect_key("safeguarding.alert_acknowledged", alert=1)
    bot.advance("1h")
    second.deliver().expect_nothing()
    second.press("alert:1:ack").expect_key("safeguarding.alert_already", name="Alys")
    second.press("alert:99:ack").expect_key("safeguarding.alert_unknown", lang="en")


def test_escalation_time_is_configurable(settings, clock):
    settings.safeguarding.escalate_after_minutes = 5
    app = build_app(settings, clock=clock)
    try:
        bot = ConversationDriver(app)
        lead, second, _ = team(bot)
        bot.speaking("en")
        bot.send("I want to die")
        bot.advance("5m")
        second.deliver().expect_key("safeguarding.alert_escalated", minutes=5)
    finally:
        app.close()


def test_more_messages_while_the_alert_is_open_reach_whoever_was_alerted(bot):
    lead, _, _ = team(bot)
    bot.speaking("en")
    bot.send("I want to die")
    lead.deliver()
    bot.send("I've taken all my pills").expect("116 123")
    lead.deliver().expect_key("safeguarding.alert_further", lang="en").expect("taken all my pills")
    assert len(bot.rows(SafeguardingAlert)) == 1
    assert len(bot.rows(DataSetEvent, statement=27)) == 1
    assert "further_message" in kinds(bot)


def test_with_nobody_to_alert_the_person_still_gets_help_and_the_gap_is_logged(bot, caplog):
    bot.speaking("en")
    bot.send("I want to kill myself").expect("116 123")
    assert kinds(bot) == ["raised", "no_contact"]
    assert "no reachable practitioner" in caplog.text
    bot.advance("15m")
    assert kinds(bot)[-1] == "no_contact"  # and it keeps trying


def test_everyday_idioms_do_not_raise_alerts(bot):
    team(bot)
    bot.speaking("en")
    bot.send("I need to kill time before the bus").expect(absent=("116 123",))
    assert not bot.rows(SafeguardingAlert)


def test_practitioners_quoting_a_client_are_not_screened(bot):
    lead, _, _ = team(bot)
    lead.send("she said she wants to kill herself and I want to die of embarrassment").expect(absent=("116 123",))
    assert not bot.rows(SafeguardingAlert)


class RiskNLU:
    """A stand-in NLU that reads one sentence as risk, to test the NLU route into the screen.

    Issue 14: NLU-only evidence is a *possible* risk, and counts only from
    bot.safeguarding.NLU_POSSIBLE_MIN (0.9); it was 0.5 here when any NLU "risk" meant crisis."""

    def parse(self, text, language=None):
        if "everything is dark" in text:
            return Parse("risk", 0.95)
        return Parse("out_of_scope", 0.0)


def test_the_nlu_risk_intent_alone_is_a_possible_risk_the_gentle_check_and_a_concern(settings, clock):
    app = build_app(settings, clock=clock, nlu=RiskNLU())
    try:
        bot = ConversationDriver(app)
        lead, _, _ = team(bot)
        bot.speaking("en")
        bot.send("everything is dark lately").expect_key("safeguarding.check", lang="en").expect(absent=("116 123",))
        lead.deliver().expect_key("concern.note", lang="en")
        [alert] = bot.rows(SafeguardingAlert)
        assert alert.detected_by == ["nlu"] and alert.tier == "possible"
    finally:
        app.close()


def test_a_disclosure_at_the_end_of_a_very_long_message_is_found(bot):
    lead, _, _ = team(bot)
    bot.speaking("en")
    bot.send("blah " * 1000 + "and I want to k\u200bill my\u00adself").expect("116 123")
    lead.deliver().expect("blah blah", "kill myself")


@pytest.mark.parametrize("text", ["", "🙂" * 50, "x" * 5000, "\x00\x07 kill myself \x1b"])
def test_odd_messages_never_break_the_screen(bot, text):
    team(bot)
    bot.speaking("en")
    replies = bot.send(text)
    assert replies.messages
    assert not bot.rows(OutboundMessage, body=None)


def test_a_practitioner_from_another_team_cannot_take_an_alert(bot):
    team(bot)
    outsider = linked_practitioner(bot, "Dafydd", "Gwynedd", "+447700900950", areas=["LL"])
    bot.speaking("en")
    bot.send("I want to die")
    outsider.press("alert:1:ack").expect_key("safeguarding.alert_unknown", lang="en")
    assert bot.rows(SafeguardingAlert)[0].status == "open"


def test_operator_errors_name_the_setting_or_file(tmp_path):
    with pytest.raises(ContactsError, match="safeguarding.contacts_file"):
        load_contacts(tmp_path / "nowhere.yml")
    half = tmp_path / "half.yml"
    half.write_text("contacts:\n  - en: '999'\n", encoding="utf-8")
    with pytest.raises(ContactsError, match="each entry needs cy and en"):
        load_contacts(half)
    with pytest.raises(SettingsError, match="CYSWLLT_SAFEGUARDING_ESCALATE_AFTER_MINUTES"):
        load_settings(environ={"CYSWLLT_SAFEGUARDING_ESCALATE_AFTER_MINUTES": "0"})


def test_a_first_message_in_welsh_gets_the_crisis_reply_in_welsh(bot):
    team(bot)
    bot.send("dw i isio marw").expect_key("safeguarding.crisis", lang="cy")   # in Welsh only


def test_if_the_alert_cannot_be_raised_the_crisis_reply_still_goes_out(bot, monkeypatch, caplog):
    team(bot)
    bot.speaking("en")

    def broken(*args, **kwargs):
        raise RuntimeError("database trouble")

    monkeypatch.setattr(bot.app.dispatcher.screens[0].__self__, "_raise", broken)
    bot.send("I want to kill myself").expect("116 123", absent=("Sorry",))
    assert "could not raise an alert" in caplog.text
    assert bot.conversation().flow == "safety"
