"""Build and locate the pinned Python 3.10 environment that Rasa runs in, apart from ours."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from config import user_dir

REQUIREMENTS = Path(__file__).resolve().parent / "rasa" / "requirements.txt"
# Rasa 3.6 needs Python < 3.11; pyenv's 3.10 is the usual place on this machine.
PYENV_PYTHON = "versions/3.10.13/bin/python3.10"


class RasaEnvError(Exception):
    """The Rasa environment cannot be built or found; the message names the setting to fix."""


def requirements_hash(requirements: Path = REQUIREMENTS) -> str:
    """Short hash of the pinned requirements: a new pin means a new environment directory."""
    return hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]


def find_python(configured: str = "") -> str:
    """The Python 3.10 interpreter to build the env with (setting rasa.python wins)."""
    if configured:
        if not Path(configured).exists() and not shutil.which(configured):
            raise RasaEnvError(f"rasa.python (CYSWLLT_RASA_PYTHON) = {configured!r} does not exist")
        return configured
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidate = Path(root) / PYENV_PYTHON
    if candidate.exists():
        return str(candidate)
    found = shutil.which("python3.10")
    if found:
        return found
    raise RasaEnvError(
        "no Python 3.10 found: install it (pyenv install 3.10.13) or set rasa.python "
        "(CYSWLLT_RASA_PYTHON) to a python3.10 executable"
    )


def env_dir(configured: str = "") -> Path:
    """Where the env lives: rasa.env_dir, else the user's cache folder (~/.cache/cyswllt)/rasa-<hash of the pins>."""
    if configured:
        return Path(configured).expanduser()
    return user_dir("cache") / f"rasa-{requirements_hash()}"


def rasa_executable(directory: Path) -> Path:
    return directory / "bin" / "rasa"


def is_ready(directory: Path) -> bool:
    """True when the env was built completely from the current pins."""
    marker = directory / ".cyswllt-ready"
    return marker.exists() and marker.read_text().strip() == requirements_hash()


def build(python: str, directory: Path, log=print) -> Path:
    """Create the env from the pinned requirements unless it already exists; returns its dir."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    # Two CI jobs or a test and a person may build at once: only one builds, the other waits.
    with FileLock(str(directory) + ".lock"):
        if is_ready(directory):
            log(f"Rasa environment ready at {directory}")
            return directory
        if directory.exists():
            shutil.rmtree(directory)
        log(f"Building the Rasa environment at {directory} with {python} (a few minutes)")
        _run([python, "-m", "venv", str(directory)])
        pip = [str(directory / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        _run(pip + ["install", "--quiet", "-r", str(REQUIREMENTS)])
        _run([str(rasa_executable(directory)), "--version"])
        (directory / ".cyswllt-ready").write_text(requirements_hash() + "\n")
        log(f"Rasa environment ready at {directory}")
        return directory


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:])
        raise RasaEnvError(f"command failed ({result.returncode}): {' '.join(cmd)}")
