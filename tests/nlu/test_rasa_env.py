"""The Rasa environment is built from pinned requirements and never leaks into ours."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy

from nlu import rasa_env


def test_rasa_is_not_in_the_project_env():
    assert importlib.util.find_spec("rasa") is None
    assert importlib.util.find_spec("tensorflow") is None
    assert int(sqlalchemy.__version__.split(".")[0]) >= 2


def test_requirements_are_fully_pinned():
    lines = [l for l in rasa_env.REQUIREMENTS.read_text().splitlines() if l and not l.startswith("#")]
    assert "rasa==3.6.21" in lines
    assert all("==" in l for l in lines)


def test_env_dir_is_keyed_by_the_pins(tmp_path):
    assert rasa_env.env_dir().name == f"rasa-{rasa_env.requirements_hash()}"
    assert rasa_env.env_dir(str(tmp_path)) == tmp_path


def test_pins_do_not_fight_the_machine_constraints():
    constraints = Path("/etc/xdg/pip/constraints.txt")
    if not constraints.exists():
        pytest.skip("no global pip constraints on this machine")
    pinned = {l.split("==")[0].lower() for l in rasa_env.REQUIREMENTS.read_text().splitlines() if "==" in l}
    limited = {l.split("<")[0].split("=")[0].strip().lower() for l in constraints.read_text().splitlines()
               if l.strip() and not l.startswith("#")}
    assert not pinned & limited, f"constraints also limit {pinned & limited}"


def test_a_missing_python_names_the_setting():
    with pytest.raises(rasa_env.RasaEnvError, match="CYSWLLT_RASA_PYTHON"):
        rasa_env.find_python("/nonexistent/python3.10")
