"""`cyswllt status`: the service at a glance, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from bot.cli import main as cyswllt
from bot.commands.status import gather, render
from bot.scheduler_lock import lock_for
from storage.models import OutboundMessage, Person, SafeguardingAlert


def test_status_summarises_the_queue_alerts_and_scheduler(app, settings, clock):
    now = clock.now()
    with app.sessions.begin() as session:
        person = Person(pseudonym="p1", created_at=now)
        session.add(person)
        session.flush()
        for status, ago in (("queued", timedelta(minutes=3)), ("failed", timedelta(days=1))):
            session.add(OutboundMessage(person_id=person.id, channel="sms", address="+447700900111", body="x",
                                        options=[], status=status, created_at=now - ago, not_before=now - ago))
        session.add(SafeguardingAlert(channel="sms", address="+447700900111", excerpt="I am not safe",
                                      detected_by=[], status="open", alerted=[], raised_at=now - timedelta(minutes=20)))
    lock = lock_for(app.engine, settings.scheduler.lock_path)
    assert "NO SCHEDULER RUNNING" in render(gather(settings, now))
    assert lock.try_acquire()
    try:
        report = gather(settings, now)
    finally:
        lock.release()
    shown = render(report)
    # Whatever the newest migration is (each feature adds one; they are joined at merge).
    [head] = report["migrations"]["head"]
    assert report["migrations"]["at_head"] and f"at head ({head})" in shown
    assert "referrals     none waiting unaccepted" in shown
    assert "sms: 1 waiting, oldest due 3m" in shown
    assert "sms failed 1" in shown
    assert "1 unacknowledged alert(s) (open 1, no one to alert 0), oldest 20m" in shown
    expected_holder = "cyswllt " if app.engine.dialect.name == "postgresql" else "another process on this host"
    assert f"lock held by {expected_holder}" in shown, shown
    assert "nlu           embedded" in shown
    assert "+447700900111" not in shown and "not safe" not in shown


def test_status_command_says_when_the_database_is_unreachable(capsys):
    assert cyswllt(["status", "--db", "postgresql://nobody@127.0.0.1:1/nothing"]) == 1
    assert "UNREACHABLE" in capsys.readouterr().out


def test_status_command_on_an_empty_database_says_to_upgrade(tmp_path, capsys):
    assert cyswllt(["status", "--db", f"sqlite:///{tmp_path}/new.sqlite3"]) == 1
    out = capsys.readouterr().out
    assert "NOT AT HEAD" in out and "cyswllt db upgrade" in out


def test_status_json_is_one_object(database_url, capsys):
    import json

    assert cyswllt(["status", "--json", "--db", database_url]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["database"]["reachable"] and report["safeguarding"]["unacknowledged"] == 0
