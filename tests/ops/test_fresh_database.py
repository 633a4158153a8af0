"""Every command on a fresh (empty, unmigrated) database: it migrates when database.auto_migrate
is on, or says in one line to run `cyswllt db upgrade`; never a traceback."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from bot.cli import main


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"cyswllt_fresh_{uuid.uuid4().hex[:8]}"
    admin = server.admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{server.admin_url.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                           {"n": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def commands(tmp_path) -> list[list[str]]:
    return [
        ["report", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(tmp_path / "r.html")],
        ["report", "--from", "2026-01-01", "--to", "2026-01-31", "--json"],
        ["dataset", "coverage", "--db"],
        ["dataset", "export", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(tmp_path / "e.csv")],
        ["person", "export", "+447700900123"],
        ["person", "erase", "+447700900123"],
        ["person", "requests"],
        ["person", "retention"],
        ["practitioner", "list"],
        ["practitioner", "code", "1"],
        ["practitioner", "add", "Alys", "--team", "Caerdydd"],
        ["assets", "export"],
        ["assets", "search", "walk"],
        ["scheduler", "once"],
        ["status"],
        ["config", "check"],
    ]


@pytest.mark.parametrize("auto_migrate", ["false", "true"])
def test_no_command_shows_a_traceback_on_a_fresh_database(empty_database, tmp_path, monkeypatch, capsys,
                                                          auto_migrate):
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", empty_database)
    monkeypatch.setenv("CYSWLLT_DATABASE_AUTO_MIGRATE", auto_migrate)
    monkeypatch.setenv("CYSWLLT_DATASET_PSEUDONYM_KEY", "a-long-enough-test-secret")
    failures = []
    for argv in commands(tmp_path):
        try:
            code = main(argv)
        except BaseException as exc:  # noqa: BLE001 - what the test looks for
            failures.append(f"{' '.join(argv)}: raised {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
            continue
        out, err = capsys.readouterr()
        if "Traceback" in out + err:
            failures.append(f"{' '.join(argv)}: printed a traceback")
        elif auto_migrate == "false" and code != 0 and "cyswllt db upgrade" not in out + err:
            failures.append(f"{' '.join(argv)}: exit {code} without saying to run `cyswllt db upgrade`: {err[-200:]}")
    assert not failures, "\n".join(failures)
