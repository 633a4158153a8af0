"""Practitioners by text over the real channels (issue 15): the collision by SMS, a forged button by
Telegram, and refusals counted in /metrics."""
from __future__ import annotations

from sqlalchemy import select

from bot.practitioners import add_practitioner
from storage.models import ErasureRequest, Person, SafeguardingAlert


def _link(server, name: str, team: str, areas=None, lead=False) -> str:
    with server.app.sessions.begin() as session:
        _, code = add_practitioner(session, name, team, server.app.clock.now(), areas=areas, safeguarding_lead=lead)
    return code


def _rows(server, model):
    with server.app.sessions() as session:
        return session.scalars(select(model).order_by(model.id)).all()


def test_by_sms_a_bare_number_with_an_alert_and_an_erasure_waiting_erases_nothing(server, fake_twilio):
    alys = "+447700900901"
    server.sms(server.twilio.sms(alys, f"LINK {_link(server, 'Alys', 'Caerdydd', ['CF'], lead=True)}"))
    fake_twilio.wait_for_text(alys, "linked")
    someone, other = "+447700900501", "+447700900502"
    for text in ("Helo", "2", "I want to die"):
        server.sms(server.twilio.sms(someone, text))
    fake_twilio.wait_for_text(alys, "SAFEGUARDING ALERT")
    for text in ("Helo", "2", "delete my data", "1"):
        server.sms(server.twilio.sms(other, text))
    fake_twilio.wait_for_text(alys, "Erasure request")
    [alert], [request] = _rows(server, SafeguardingAlert), _rows(server, ErasureRequest)
    seen = len(fake_twilio.to(alys))
    server.sms(server.twilio.sms(alys, "1"))        # meant for the alert
    fake_twilio.wait_for_text(alys, "More than one thing is waiting", since=seen)
    assert [r.status for r in _rows(server, ErasureRequest)] == ["pending"]
    assert len(_rows(server, Person)) == 3
    server.sms(server.twilio.sms(alys, f"ACK {alert.id}"))
    fake_twilio.wait_for_text(alys, f"acknowledged alert {alert.id}", since=seen)
    assert _rows(server, SafeguardingAlert)[0].status == "acknowledged"
    assert [r.status for r in _rows(server, ErasureRequest)] == ["pending"]
    assert request.id


def test_by_telegram_a_forged_button_from_another_team_is_refused_and_counted(server, fake_telegram):
    alys, gareth = 901, 931
    server.telegram(server.updates.text(alys, f"/link {_link(server, 'Alys', 'Caerdydd', ['CF'], lead=True)}"))
    fake_telegram.wait_for_text(alys, "linked")
    server.telegram(server.updates.text(gareth, f"/link {_link(server, 'Gareth', 'Gwynedd', ['LL'])}"))
    fake_telegram.wait_for_text(gareth, "linked")
    for text in ("Helo", "2", "I want to die"):
        server.telegram(server.updates.text(501, text))
    fake_telegram.wait_for_text(alys, "SAFEGUARDING ALERT")
    [alert] = _rows(server, SafeguardingAlert)
    seen = len(fake_telegram.to(gareth))
    server.telegram(server.updates.button(gareth, f"alert:{alert.id}:ack"))
    fake_telegram.wait_for_text(gareth, "can't find that alert", since=seen)
    assert _rows(server, SafeguardingAlert)[0].status == "open"
    metrics = server.http.get("/metrics").text
    refused = [line for line in metrics.splitlines()
               if line.startswith('cyswllt_practitioner_actions_refused_total{action="alert"}')]
    assert refused and float(refused[0].split()[-1]) >= 1, metrics
    server.telegram(server.updates.button(alys, f"alert:{alert.id}:ack"))   # the same button, its own team
    fake_telegram.wait_for_text(alys, f"acknowledged alert {alert.id}")
