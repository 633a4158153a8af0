"""Cyswllt installed as a wheel, outside the checkout, runs: as the image and a pip install run it.

The wheel is built from a copy of exactly what deploy/Dockerfile copies, installed with its base
dependencies only (no [report] extra) at the versions in requirements.lock into a fresh
virtualenv in a temporary folder, and run there with a clean environment and an empty home: so
nothing can come from the checkout, and the lean install is the one that is tested.

There is no container runtime where the tests run, so the image itself is never built here: the
last test reads deploy/Dockerfile and checks that its steps are the ones tested above.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def dockerfile_stages() -> list[list[dict]]:
    """deploy/Dockerfile's instructions (comments left out), stage by stage, each from its FROM."""
    stages: list[list[dict]] = []
    for instruction in DockerfileParser(path=str(DOCKERFILE)).structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if stages and instruction["instruction"] != "COMMENT":
            stages[-1].append(instruction)
    return stages


def copied_from_the_checkout(stage: list[dict]) -> list[str]:
    """The sources of a stage's COPY instructions that come from the build context, not another stage."""
    sources = []
    for instruction in stage:
        words = instruction["value"].split()
        if instruction["instruction"] == "COPY" and not any(w.startswith("--from=") for w in words):
            sources += [w for w in words[:-1] if not w.startswith("--")]
    return sources


# What deploy/Dockerfile's build stage copies, read from it, so the two cannot drift apart.
SOURCES = tuple(copied_from_the_checkout(dockerfile_stages()[0]))
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


class Installed:
    """The wheel, and a virtualenv with it installed, in a temporary folder."""

    def __init__(self, root: Path):
        source = root / "source"
        source.mkdir()
        for name in SOURCES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
            else:
                shutil.copy2(ROOT / name, source / name)
        wheels = root / "wheels"
        _run([sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", str(wheels), str(source)])
        self.wheel = next(wheels.glob("cyswllt-*.whl"))
        self.venv = root / "venv"
        _run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(self.venv)])
        _run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(self.venv / "bin" / "python"),
              "--constraint", str(ROOT / "requirements.lock"), str(self.wheel)])
        self.home = root / "home"
        self.home.mkdir()
        self.cwd = root / "elsewhere"
        self.cwd.mkdir()

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        """A command of the installed venv, from a folder that is not the checkout, with nothing inherited."""
        env = {"PATH": f"{self.venv / 'bin'}:/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8"}
        return subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=300,
                              cwd=self.cwd, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    return Installed(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_ships_every_file_in_config(installed):
    shipped = {name for name in zipfile.ZipFile(installed.wheel).namelist() if name.startswith("config/")}
    in_checkout = {str(p.relative_to(ROOT)) for p in (ROOT / "config").rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
    assert in_checkout - shipped == set()


def test_it_runs_from_the_venv_not_the_checkout(installed):
    result = installed.run("python", "-c", "import bot, config; print(bot.__file__); print(config.config_path())")
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert line.startswith(str(installed.venv)), line


def test_a_scripted_chat_in_welsh_and_in_english(installed):
    welsh = installed.run("cyswllt", "chat", "--from", "+447700900301", stdin="Shwmae\n1\n")
    assert welsh.returncode == 0, welsh.stderr
    assert "parhau yn Gymraeg" in welsh.stdout
    english = installed.run("cyswllt", "chat", "--from", "+447700900302", stdin="Hello\n2\nhello\n")
    assert english.returncode == 0, english.stderr
    assert "continue in English" in english.stdout
    assert "What would you like to do?" in english.stdout
    # What it wrote went to the user's folders, not beside the code.
    assert (installed.home / ".local" / "state" / "cyswllt" / "cyswllt.sqlite3").is_file()
    assert list((installed.home / ".cache" / "cyswllt" / "nlu").glob("embedded-*.pkl"))


def test_the_lean_install_has_no_report_extra_and_says_so(installed):
    assert installed.run("python", "-c", "import matplotlib").returncode != 0
    assert installed.run("python", "-c", "import pyarrow").returncode != 0
    report = installed.run("cyswllt", "report", "--from", "2026-01-01", "--to", "2026-01-31")
    assert report.returncode == 2
    assert report.stderr.strip().splitlines() == [
        "cyswllt: cyswllt report (its charts) needs the optional 'report' extra (matplotlib is not installed): "
        "pip install 'cyswllt[report]'"
    ]
    parquet = installed.run("cyswllt", "dataset", "export", "--from", "2026-01-01", "--to", "2026-01-31",
                            "--out", "events.parquet")
    assert parquet.returncode == 2
    assert "pip install 'cyswllt[report]'" in parquet.stderr
    # The figures as JSON need no charts.
    figures = installed.run("cyswllt", "report", "--from", "2026-01-01", "--to", "2026-01-31", "--json")
    assert figures.returncode == 0, figures.stderr


def test_the_image_is_built_as_this_module_installs():
    """Multi-stage and non-editable: a wheel of the checkout's packages, installed at the locked versions."""
    stages = dockerfile_stages()
    assert len(stages) == 3, "build the wheel; install it into a virtualenv; copy only that virtualenv"
    build, venv, final = ([(i["instruction"], i["value"]) for i in stage] for stage in stages)
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {p.rstrip("*") for p in packages["include"]} | {"pyproject.toml", "README.md"} <= set(SOURCES)
    assert [v for i, v in build if i == "RUN"] == ["pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ."]

    assert ("COPY", "--from=wheel /wheels /wheels") in venv
    assert ("COPY", "requirements.lock /tmp/requirements.lock") in venv
    [install] = [v for i, v in venv if i == "RUN"]
    assert "pip install --no-cache-dir -c /tmp/requirements.lock \"$(ls /wheels/cyswllt-*.whl)${EXTRAS}\"" in install
    assert " -e " not in install and "--editable" not in install
    assert ("ARG", 'EXTRAS=""') in venv, "the bot alone by default: the lean install tested above"

    assert copied_from_the_checkout(stages[2]) == [], "the final image holds no source tree"
    assert [v for i, v in final if i == "COPY"] == ["--from=venv /opt/cyswllt /opt/cyswllt"]
    assert ("ENTRYPOINT", '["cyswllt"]') in final
    locked_for = re.search(r"--python-version (\S+)", (ROOT / "requirements.lock").read_text()).group(1)
    assert all(stage[0]["value"].startswith(f"python:{locked_for}-") for stage in stages), "the lock's Python"
