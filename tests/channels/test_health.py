"""/healthz/live answers without the database; /healthz (readiness) shares one database probe
between the callers of a moment, and says whether this process's scheduler is leading."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import event

from bot.web import create_web_app
from tests.support.live_server import LiveServer

CLIENTS = 32


def _count_statements(engine):
    seen = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_liveness_never_touches_the_database(server):
    seen = _count_statements(server.app.engine)
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda _: server.http.get("/healthz/live"), range(CLIENTS * 2)))
    assert {a.status_code for a in answers} == {200} and answers[0].json() == {"ok": True}
    assert [s for s in seen if s.strip() == "SELECT 1"] == []


def test_readiness_probes_the_database_once_for_a_burst_of_callers(server):
    seen = _count_statements(server.app.engine)
    began = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda _: server.http.get("/healthz"), range(CLIENTS)))
    elapsed = time.monotonic() - began
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["database"] for a in answers} == {"ok"}
    probes = len([s for s in seen if s.strip() == "SELECT 1"])
    # One probe per 1.5 s window at most (however slow this machine is), not one per caller.
    allowed = 1 + int(elapsed / 1.5)
    print(f"{CLIENTS} readiness checks in {elapsed:.2f} s: {probes} database probes")
    assert probes <= allowed < CLIENTS


def test_readiness_says_whether_this_process_leads_the_scheduler(channel_app):
    channel_app.settings.scheduler.lock_poll_seconds = 0.02
    web = create_web_app(channel_app, run_sender=False, run_scheduler=True)
    server = LiveServer(web.starlette)
    try:
        deadline = time.monotonic() + 30
        while (state := httpx.get(f"{server.url}/healthz").json()["scheduler"]) != "leading":
            assert time.monotonic() < deadline, f"never leading: {state}"
            time.sleep(0.05)
    finally:
        server.stop()
