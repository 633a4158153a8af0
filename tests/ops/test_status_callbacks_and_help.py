"""Status callbacks that are refused show in /metrics; Twilio's OptOutType=HELP is HELP."""
from __future__ import annotations

from tests.ops.test_metrics import samples

PHONE = "+447700900556"


def _callbacks(server, result: str) -> float:
    scraped = samples(server.http.get("/metrics").text)
    return scraped.get(("cyswllt_status_callbacks_total", (("channel", "sms"), ("result", result))), 0.0)


def test_refused_status_callbacks_are_counted(server):
    before = {r: _callbacks(server, r) for r in ("rejected", "invalid", "stored")}
    form = server.twilio.status("SMnot-ours", "delivered", PHONE)
    assert server.http.post("/twilio/status", data=form).status_code == 403          # unsigned
    assert server.http.post("/twilio/status", data=form,
                            headers={"X-Twilio-Signature": "forged"}).status_code == 403
    incomplete = {"AccountSid": form["AccountSid"], "To": PHONE}
    assert server.status(incomplete).status_code == 400
    assert server.status(form).status_code == 204
    assert _callbacks(server, "rejected") == before["rejected"] + 2
    assert _callbacks(server, "invalid") == before["invalid"] + 1
    assert _callbacks(server, "stored") == before["stored"] + 1


def test_twilio_help_opt_out_type_gets_the_help_reply(server, fake_twilio):
    server.sms(server.twilio.sms(PHONE, "Hello"))
    fake_twilio.wait_for(PHONE, 1)
    server.sms(server.twilio.sms(PHONE, "english"))
    seen = len(fake_twilio.to(PHONE))
    # An account's Advanced Opt-Out help word ("INFO" here) arrives as it was typed, with OptOutType=HELP.
    server.sms(server.twilio.sms(PHONE, "INFO", OptOutType="HELP"))
    fake_twilio.wait_for_text(PHONE, "Cyswllt helps you", since=seen)
