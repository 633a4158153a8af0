"""docs/deploy.md, followed: so that the document and the files it ships cannot rot.

The main test takes the document's steps on a fresh PostgreSQL role and database, with the
production environment from deploy/cyswllt.env.example: `cyswllt db upgrade`, `cyswllt config
check`, the web app and the scheduler as processes, /healthz, /metrics, a real webhook and
reply, and `cyswllt status`. The others check that every `cyswllt` command the document and
the units run exists, that every variable they name is a real setting, that the units verify
(systemd-analyze) and that the compose file is valid (when docker-compose is installed).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.cli import build_parser
from bot.settings import Settings, load_settings
from tests.support.fake_telegram import TOKEN
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, PUBLIC_BASE_URL, TwilioWebhooks

# Production refuses a webhook secret shorter than 32 characters (bot/config_check.py).
TELEGRAM_SECRET = "production-length-webhook-secret_0123456789"
ROOT = Path(__file__).resolve().parents[2]
DEPLOY_MD = ROOT / "docs" / "deploy.md"
DEPLOY = ROOT / "deploy"
UNIT_EXECUTABLE = "/opt/cyswllt/.venv/bin/cyswllt"


def shell_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", markdown, flags=re.S)


def documented_cyswllt_commands() -> list[list[str]]:
    """Every line of the document's shell blocks that runs `cyswllt ...`, as arguments."""
    commands = []
    for block in shell_blocks(DEPLOY_MD.read_text()):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("cyswllt ") or line.startswith(UNIT_EXECUTABLE + " "):
                commands.append(shlex.split(line)[1:])
    return commands


def unit_commands() -> list[list[str]]:
    commands = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                assert words[0] == UNIT_EXECUTABLE, unit
                commands.append(words[1:])
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for service in compose["services"].values():
        if service.get("image", "").startswith("cyswllt") or "build" in service:
            commands.append(list(service["command"]))
    return commands


def _has_option(command: str, option: str) -> bool:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return any(option in action.option_strings for action in sub._actions)


def parses(args: list[str]) -> None:
    """The CLI accepts these arguments (`--workers N` only once serve has it: the perf branch adds it)."""
    if args[:1] == ["serve"] and "--workers" in args and not _has_option("serve", "--workers"):
        i = args.index("--workers")
        args = args[:i] + args[i + 2:]
    try:
        build_parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"`cyswllt {' '.join(args)}` is not a command cyswllt knows")


def test_every_command_the_document_and_the_units_run_exists():
    documented = documented_cyswllt_commands()
    for step in (["db", "upgrade"], ["config", "check", "--workers", "4"], ["nlu", "setup-rasa"],
                 ["telegram", "set-webhook"], ["status"]):
        assert step in documented, f"deploy.md no longer says `cyswllt {' '.join(step)}`"
    for args in documented + unit_commands():
        parses(args)


def setting_names() -> set[str]:
    names = set()
    for section, field in Settings.model_fields.items():
        for key in field.annotation.model_fields:
            names.add(f"CYSWLLT_{section}_{key.rstrip('_')}".upper())
    return names | {"CYSWLLT_SETTINGS", "CYSWLLT_SECTION_KEY"}   # the file; the rule's own example


def env_file(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return {k: v for k, v in pairs}


def test_every_variable_named_is_a_real_setting():
    known = setting_names()
    for source in (DEPLOY_MD, DEPLOY / "cyswllt.env.example", DEPLOY / "compose.yaml", DEPLOY / "Dockerfile"):
        for name in set(re.findall(r"CYSWLLT_[A-Z0-9_]+", source.read_text())):
            assert name in known, f"{source.name} names {name}, which is not a setting"
    example = env_file(DEPLOY / "cyswllt.env.example")
    settings = load_settings(environ={k: v for k, v in example.items() if v})
    assert settings.service.environment == "production" and settings.logging.format == "json"
    assert settings.database.auto_migrate is False


def test_the_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    stub = tmp_path / "cyswllt"
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    units = []
    for unit in (DEPLOY / "systemd").iterdir():
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace(UNIT_EXECUTABLE, str(stub)))
        units.append(str(copy))
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_compose_file_is_valid(tmp_path):
    if shutil.which("docker-compose"):
        command = ["docker-compose"]
    elif shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose"]
    else:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    folder = tmp_path / "deploy"
    shutil.copytree(DEPLOY, folder)
    shutil.copy(DEPLOY / "cyswllt.env.example", folder / "cyswllt.env")
    result = subprocess.run([*command, "-f", str(folder / "compose.yaml"), "config", "-q"], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "POSTGRES_PASSWORD": "x"})
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ the steps, taken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def fresh_database(postgres_server):
    """The document's role and database (its own SQL, with a unique name), dropped afterwards."""
    name = f"cyswllt_deploy_{uuid.uuid4().hex[:8]}"
    statements = re.findall(r'psql -c "(.*?)"', DEPLOY_MD.read_text())
    assert len(statements) == 2, "deploy.md step 1 creates a role and a database"
    admin = postgres_server.admin_engine()
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(re.sub(r"\bcyswllt\b", name, statement)))
    base = postgres_server.admin_url.split("://", 1)[1].split("@", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql://{name}:CHANGE-ME@{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                           {"n": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def run(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def wait_until(check, what: str, processes, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except httpx.TransportError:
            pass
        for process, log in processes:
            assert process.poll() is None, f"a process exited: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def metric_samples(body: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def test_following_deploy_md_on_a_fresh_postgresql(fresh_database, fake_telegram, fake_twilio, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CYSWLLT_", "PROMETHEUS_"))}
    env.update({k: v for k, v in env_file(DEPLOY / "cyswllt.env.example").items() if v})
    env.update({
        "CYSWLLT_DATABASE_URL": fresh_database,
        "CYSWLLT_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "CYSWLLT_TELEGRAM_TOKEN": TOKEN, "CYSWLLT_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "CYSWLLT_TELEGRAM_API_BASE": fake_telegram.api_base,
        "CYSWLLT_TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CYSWLLT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CYSWLLT_TWILIO_FROM": FROM, "CYSWLLT_TWILIO_API_BASE": fake_twilio.api_base,
        "CYSWLLT_DATASET_PSEUDONYM_KEY": "k" * 64,
        "CYSWLLT_SENDER_IDLE_POLL_S": "0.05", "CYSWLLT_SCHEDULER_INTERVAL_SECONDS": "1",
        # No Rasa servers here: the embedded NLU, cached in the user's cache folder, answers.
        "CYSWLLT_NLU_BACKEND": "embedded",
    })
    for name in ("CYSWLLT_RASA_ENV_DIR", "CYSWLLT_NLU_CACHE_DIR"):
        env.pop(name, None)

    # Step 3: schema, then the configuration check.
    upgraded = run(["db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    workers = ["--workers", "2"] if _has_option("serve", "--workers") else []
    checked = run(["config", "check", *(workers or ["--workers", "1"])], env)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "configuration OK" in checked.stdout

    # Step 4: the web unit and the scheduler unit, as their ExecStart lines run them.
    port, scheduler_port = free_port(), free_port()
    web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    web_log, scheduler_log = tmp_path / "web.log", tmp_path / "scheduler.log"
    with web_log.open("w") as out:
        web = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                *workers, "--no-scheduler"], cwd=ROOT, env=web_env, stdout=out,
                               stderr=subprocess.STDOUT)
    with scheduler_log.open("w") as out:
        scheduler = subprocess.Popen([sys.executable, "-m", "bot.cli", "scheduler", "run", "--metrics-port",
                                      str(scheduler_port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    processes = [(web, web_log), (scheduler, scheduler_log)]
    url = f"http://127.0.0.1:{port}"
    try:
        health = wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200 and httpx.get(f"{url}/healthz"),
                            "/healthz", processes)
        assert health.json()["database"] == "ok"

        webhooks = TwilioWebhooks()
        form = webhooks.sms("+447700900777", "Hello")
        assert httpx.post(f"{url}/twilio/sms", data=form, headers=webhooks.sign("/twilio/sms", form)).status_code == 200
        fake_twilio.wait_for_text("+447700900777", "Cymraeg")

        # Step 6: what to watch.
        scraped = wait_until(lambda: metric_samples(httpx.get(f"{url}/metrics").text), "/metrics", processes)
        assert scraped[("cyswllt_database_up", ())] == 1
        assert scraped[("cyswllt_inbound_messages_total", (("channel", "sms"), ("result", "handled")))] == 1
        sent = wait_until(lambda: metric_samples(httpx.get(f"{url}/metrics").text).get(
            ("cyswllt_outbound_messages_total", (("channel", "sms"), ("result", "sent")))), "a counted send", processes)
        assert sent >= 1
        lag = wait_until(lambda: metric_samples(httpx.get(f"http://127.0.0.1:{scheduler_port}/metrics").text).get(
            ("cyswllt_scheduler_lag_seconds_count", ())), "the scheduler's first run", processes)
        assert lag >= 1
        # Every metric the alert rules use is one the service exports.
        exported = {name for name, _ in scraped} | {"up"}
        for rule in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"][0]["rules"]:
            for name in re.findall(r"\b(cyswllt_[a-z_]+|up)\b", rule["expr"]):
                assert name in exported, f"alert {rule['alert']} uses {name}, which /metrics does not export"

        status = wait_until(lambda: (r := run(["status"], env)).returncode == 0 and "lock held by cyswllt" in r.stdout
                            and r, "status to show the scheduler", processes)
        assert "at head" in status.stdout and "0 unacknowledged" in status.stdout
        assert json.loads(run(["status", "--json"], env).stdout)["scheduler"]["lock_held"]
    finally:
        for process, _ in processes:
            process.send_signal(signal.SIGTERM)
        for process, _ in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    # Production logs: JSON lines only, none with the number or the words.
    logged = web_log.read_text().splitlines()
    assert logged, "the web app logged nothing at all"
    for line in logged:
        record = json.loads(line)
        assert {"time", "level", "logger", "message"} <= record.keys()
    assert "+447700900777" not in web_log.read_text() and "Hello" not in web_log.read_text()
