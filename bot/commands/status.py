"""`cyswllt status`: how the running service is doing, for a person at a terminal.

The same facts as /metrics (read from the database, so it does not matter which worker or
host asks), plus what only a person needs: who holds the scheduler lock, whether the schema
is at head, whether the NLU servers answer.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from bot.config_check import check_rasa
from bot.operations import migrations, read_snapshot, scheduler_lock_holder
from bot.settings import load_settings
from sqlalchemy.orm import Session

from bot.referrals import unaccepted_for_lead
from storage.db import make_engine


def register(subparsers) -> None:
    parser = subparsers.add_parser("status", help="database, outbox, safeguarding alerts, scheduler and NLU at a glance")
    parser.add_argument("--db", help="database URL (default: the settings' database.url)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.set_defaults(func=run)


def gather(settings, now: datetime | None = None) -> dict:
    """Everything `status` shows, as plain data; the database's absence is a fact, not a crash."""
    now = now or datetime.now(timezone.utc)
    engine = make_engine(settings.database.url)
    report: dict = {"time": now.isoformat(timespec="seconds"),
                    "database": {"url": engine.url.render_as_string(hide_password=True)}}
    try:
        state = migrations(engine)
    except Exception as exc:  # noqa: BLE001 - report what stopped us and carry on with the rest
        report["database"].update(reachable=False, error=_describe(exc))
        state = None
    if state is not None:
        report["database"]["reachable"] = True
        report["migrations"] = {"current": list(state.current), "head": list(state.head), "at_head": state.at_head}
    try:
        if state is None or not state.current:
            raise LookupError("no schema: run `cyswllt db upgrade`")
        snap = read_snapshot(engine, now)
        report["outbox"] = [{"channel": q.channel, "waiting": q.depth, "oldest_due_seconds": round(q.oldest_due_seconds, 1)}
                            for q in snap.queues]
        report["undelivered"] = [{"channel": c, "status": s, "count": n} for (c, s), n in sorted(snap.undelivered.items())]
        report["safeguarding"] = {"unacknowledged": snap.alerts.total, **snap.alerts.counts,
                                  "oldest_seconds": round(snap.alerts.oldest_seconds, 1)}
        report["referrals_unaccepted"] = unaccepted_referrals(engine, now, settings)
        holder = scheduler_lock_holder(engine, settings.scheduler.lock_path)
        report["scheduler"] = {
            "lock_held": holder.held, "holder": holder.holder, "next_job": snap.scheduler.next_job,
            "next_run_at": snap.scheduler.next_run_at.isoformat(timespec="seconds") if snap.scheduler.next_run_at else None,
            "overdue_seconds": round(snap.scheduler.overdue_seconds, 1)}
    except Exception as exc:  # noqa: BLE001 - e.g. an empty or half-migrated schema
        if state is not None:
            report["unreadable"] = _describe(exc)
    finally:
        engine.dispose()
    nlu = {"backend": settings.nlu.backend}
    if settings.nlu.backend == "rasa":
        down = {f.setting[-2:].lower() for f in check_rasa(settings)}
        nlu["servers"] = {lang: {"url": url, "answering": lang not in down}
                          for lang, url in (("en", settings.rasa.url_en), ("cy", settings.rasa.url_cy))}
    report["nlu"] = nlu
    return report


def unaccepted_referrals(engine, now: datetime, settings) -> list[dict]:
    """Referrals nobody has accepted past the reminder and the lead's wait: number, team, days (no personal data)."""
    with Session(engine) as session:
        return [{"referral": r.id, "team": r.team_id, "days": (now - r.submitted_at).days}
                for r in unaccepted_for_lead(session, now, settings.referral)]


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}"


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d"


def render(report: dict) -> str:
    lines = [f"Cyswllt status at {report['time']}"]
    database = report["database"]
    if not database.get("reachable"):
        lines.append(f"database      UNREACHABLE {database['url']}: {database.get('error')}")
    else:
        lines.append(f"database      ok  {database['url']}")
        m = report["migrations"]
        lines.append("migrations    at head (" + ", ".join(m["head"]) + ")" if m["at_head"] else
                     f"migrations    NOT AT HEAD: database {', '.join(m['current']) or 'empty'}, code "
                     f"{', '.join(m['head'])}: run `cyswllt db upgrade`")
    if "unreadable" in report:
        lines.append(f"contents      not readable: {report['unreadable']}")
    elif database.get("reachable"):
        queues = report["outbox"]
        lines.append("outbox        " + ("; ".join(f"{q['channel']}: {q['waiting']} waiting, oldest due "
                                                   f"{_age(q['oldest_due_seconds'])}" for q in queues)
                                       if queues else "empty"))
        undelivered = report["undelivered"]
        lines.append("undelivered   " + (", ".join(f"{u['channel']} {u['status']} {u['count']}" for u in undelivered)
                                       if undelivered else "none"))
        alerts = report["safeguarding"]
        lines.append(f"safeguarding  {alerts['unacknowledged']} unacknowledged alert(s)" + (
            f" (open {alerts['open']}, no one to alert {alerts['no_contact']}), oldest "
            f"{_age(alerts['oldest_seconds'])}" if alerts["unacknowledged"] else ""))
        waiting = report.get("referrals_unaccepted", [])
        lines.append("referrals     " + (f"{len(waiting)} not accepted after the reminder (team lead told): " + ", ".join(
            f"{w['referral']} ({w['days']}d)" for w in waiting) if waiting else "none waiting unaccepted"))
        s = report["scheduler"]
        who = f"lock held by {s['holder']}" if s["lock_held"] else "NO SCHEDULER RUNNING (lock free)"
        if s["next_job"] is None:
            when = "no job scheduled yet"
        elif s["overdue_seconds"] > 0:
            when = f"next {s['next_job']} was due at {s['next_run_at']}: {_age(s['overdue_seconds'])} late"
        else:
            when = f"next {s['next_job']} at {s['next_run_at']}"
        lines.append(f"scheduler     {who}; {when}")
    nlu = report["nlu"]
    text = f"nlu           {nlu['backend']}"
    for lang, server in nlu.get("servers", {}).items():
        text += f"; {lang} {server['url']} " + ("answering" if server["answering"] else "DOWN (embedded answers)")
    lines.append(text)
    return "\n".join(lines)


def run(args) -> int:
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    report = gather(settings)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    healthy = report["database"].get("reachable") and report["migrations"]["at_head"]
    return 0 if healthy else 1
