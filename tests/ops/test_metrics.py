"""/metrics: counters where things happen, gauges read from the database at scrape time."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from bot import metrics
from bot.metrics import REGISTRY, exposition, prepare_multiprocess
from bot.operations import read_snapshot
from bot.scheduler import SCHEDULER_TABLE, observe_lag
from bot.sender import outbound_result
from storage.models import OutboundMessage, Person, SafeguardingAlert

ROOT = Path(__file__).resolve().parents[2]


def samples(body: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_webhooks_and_sends_are_counted_by_channel_and_result(server, fake_twilio):
    before = {result: value("cyswllt_inbound_messages_total", channel="sms", result=result)
              for result in ("handled", "duplicate", "rejected")}
    sent_before = value("cyswllt_outbound_messages_total", channel="sms", result="sent")
    form = server.twilio.sms("+447700900555", "Hello", sid="SMmetrics1")
    assert server.sms(form).status_code == 200
    assert server.sms(form).status_code == 200          # the provider's redelivery
    assert server.sms(form, signed=False).status_code == 403
    server.drained()
    fake_twilio.wait_for_text("+447700900555", "Cymraeg")

    scraped = samples(server.http.get("/metrics").text)
    for result, added in (("handled", 1), ("duplicate", 1), ("rejected", 1)):
        key = ("cyswllt_inbound_messages_total", (("channel", "sms"), ("result", result)))
        assert scraped[key] == before[result] + added, result
    assert scraped[("cyswllt_outbound_messages_total", (("channel", "sms"), ("result", "sent")))] >= sent_before + 1
    assert scraped[("cyswllt_turn_seconds_count", (("channel", "sms"),))] >= 1
    assert scraped[("cyswllt_database_up", ())] == 1
    # Every family an operator's alert rules name is there, even with nothing to report.
    names = {name for name, _ in scraped}
    for family in ("cyswllt_safeguarding_oldest_unacknowledged_seconds", "cyswllt_scheduler_overdue_seconds"):
        assert family in names
    body = server.http.get("/metrics").text
    assert 'cyswllt_nlu_fallbacks_total{lang="cy"}' in body
    assert 'cyswllt_safeguarding_alerts_raised_total{level="emergency"}' in body
    assert "# TYPE cyswllt_scheduler_lag_seconds histogram" in body
    assert "+447700900555" not in body and "Hello" not in body


def test_the_database_gauges_say_what_is_waiting_and_for_how_long(app, clock):
    now = clock.now()
    with app.sessions.begin() as session:
        person = Person(pseudonym="p1", created_at=now)
        session.add(person)
        session.flush()

        def row(channel, status, created_ago, not_before_in=timedelta(0), attempts=0):
            session.add(OutboundMessage(person_id=person.id, channel=channel, address="+447700900111", body="x",
                                        options=[], status=status, created_at=now - created_ago,
                                        not_before=now + not_before_in, attempts=attempts))

        row("sms", "queued", timedelta(minutes=10))                                # due for 10 minutes
        row("sms", "queued", timedelta(hours=2), not_before_in=timedelta(days=1))  # scheduled: not late
        row("sms", "queued", timedelta(minutes=30), timedelta(minutes=1), attempts=2)   # waiting to retry: late
        row("telegram", "sending", timedelta(seconds=5))
        row("sms", "failed", timedelta(days=1))
        row("telegram", "unreachable", timedelta(days=1))
        row("sms", "sent", timedelta(days=1))
        for status, raised_ago in (("open", 30), ("no_contact", 5), ("acknowledged", 300)):
            session.add(SafeguardingAlert(channel="sms", address="+447700900111", excerpt="x", detected_by=[],
                                          status=status, alerted=[], raised_at=now - timedelta(minutes=raised_ago)))
        session.execute(text(f"INSERT INTO {SCHEDULER_TABLE} (id, next_run_time, job_state) VALUES "
                             "('due-work', :at, :state)"),
                        {"at": (now - timedelta(minutes=5)).timestamp(), "state": b"x"})

    snapshot = read_snapshot(app.engine, now)
    queues = {q.channel: q for q in snapshot.queues}
    assert queues["sms"].depth == 3 and queues["sms"].oldest_due_seconds == 1800
    assert queues["telegram"].depth == 1 and queues["telegram"].oldest_due_seconds == 5
    assert snapshot.undelivered == {("sms", "failed"): 1, ("telegram", "unreachable"): 1}
    assert snapshot.alerts.counts == {"open": 1, "no_contact": 1} and snapshot.alerts.oldest_seconds == 1800
    assert snapshot.scheduler.next_job == "due-work" and round(snapshot.scheduler.overdue_seconds) == 300

    scraped = samples(exposition(lambda: snapshot)[0].decode())
    assert scraped[("cyswllt_outbox_queued", (("channel", "sms"),))] == 3
    assert scraped[("cyswllt_outbox_oldest_queued_seconds", (("channel", "sms"),))] == 1800
    assert scraped[("cyswllt_safeguarding_alerts_unacknowledged", (("status", "open"),))] == 1
    assert scraped[("cyswllt_safeguarding_oldest_unacknowledged_seconds", ())] == 1800
    assert scraped[("cyswllt_outbox_undelivered", (("channel", "telegram"), ("status", "unreachable")))] == 1
    assert round(scraped[("cyswllt_scheduler_overdue_seconds", ())]) == 300


def test_a_scrape_answers_when_the_database_does_not():
    def unreachable():
        raise ConnectionError("refused")

    scraped = samples(exposition(unreachable)[0].decode())
    assert scraped[("cyswllt_database_up", ())] == 0
    assert not any(name.startswith("cyswllt_outbox") for name, _ in scraped)


def test_a_raised_safeguarding_alert_is_counted_by_level(bot):
    before = value("cyswllt_safeguarding_alerts_raised_total", level="urgent")
    bot.speaking("en")
    bot.send("I want to kill myself").expect("Thank you for telling me")
    assert value("cyswllt_safeguarding_alerts_raised_total", level="urgent") == before + 1


def test_an_alert_in_a_turn_retried_after_a_conflict_is_counted_once(bot, app, monkeypatch):
    bot.speaking("en")
    flush_turn = app.dispatcher._flush_turn
    conflicts = []

    def conflict_once(turn):
        if not conflicts:
            conflicts.append(turn)
            raise StaleDataError("another worker moved the conversation on")
        return flush_turn(turn)

    monkeypatch.setattr(app.dispatcher, "_flush_turn", conflict_once)
    before = value("cyswllt_safeguarding_alerts_raised_total", level="urgent")
    bot.send("I want to kill myself").expect("Thank you for telling me")
    assert conflicts and value("cyswllt_safeguarding_alerts_raised_total", level="urgent") == before + 1
    assert len(bot.rows(SafeguardingAlert)) == 1


def test_scheduler_lag_is_measured_from_the_first_missed_run():
    before = value("cyswllt_scheduler_lag_seconds_count")
    now = datetime.now(timezone.utc)
    observe_lag(SimpleNamespace(scheduled_run_times=[now - timedelta(seconds=90), now - timedelta(seconds=30)]))
    assert value("cyswllt_scheduler_lag_seconds_count") == before + 1
    assert value("cyswllt_scheduler_lag_seconds_bucket", le="60.0") < value("cyswllt_scheduler_lag_seconds_count")


def test_a_retry_after_the_last_attempt_counts_as_failed():
    assert outbound_result("retry", 3, 8) == "retry"
    assert outbound_result("retry", 8, 8) == "failed"
    assert outbound_result("permanent", 1, 8) == "failed"
    assert outbound_result("rate_limited", 1, 8) == "rate_limited"


def test_prepare_multiprocess_gives_workers_one_fresh_directory(tmp_path):
    assert prepare_multiprocess(1, environ={}) is None
    environ: dict[str, str] = {}
    made = prepare_multiprocess(4, environ=environ)
    assert environ[metrics.MULTIPROC_ENV] == made and Path(made).is_dir()
    stale, own = tmp_path / "counter_123.db", tmp_path / f"counter_{os.getpid()}.db"
    stale.write_bytes(b"old")
    own.write_bytes(b"this process's, in use")
    assert prepare_multiprocess(1, environ={metrics.MULTIPROC_ENV: str(tmp_path)}) == str(tmp_path)
    assert not stale.exists() and own.exists()


COUNT_ONE = """
from bot.metrics import INBOUND
INBOUND.labels("sms", "handled").inc()
"""
SCRAPE = """
from bot.metrics import exposition
print(exposition(None)[0].decode())
"""


def test_counters_from_several_worker_processes_add_up(tmp_path):
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path / "not-made-yet")}
    for _ in range(3):   # three workers, each counting one message, then gone
        subprocess.run([sys.executable, "-c", COUNT_ONE], cwd=ROOT, env=env, check=True, timeout=60)
    scraped = samples(subprocess.run([sys.executable, "-c", SCRAPE], cwd=ROOT, env=env, check=True, timeout=60,
                                     capture_output=True, text=True).stdout)
    assert scraped[("cyswllt_inbound_messages_total", (("channel", "sms"), ("result", "handled")))] == 3
