"""The shipped data is found through one function, writable paths default to the user's folders,
and the lock file pins every dependency pyproject.toml names."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.settings import load_settings
from config import config_path, setting_path

ROOT = Path(__file__).resolve().parents[1]


def test_every_folder_of_config_is_found_through_config_path():
    for folder in ("locale", "questionnaires", "safeguarding", "data", "dataset", "assets"):
        assert config_path(folder).is_dir(), folder
    assert config_path("safeguarding", "phrases.yml").is_file()


def test_a_setting_names_the_shipped_copy_with_config_and_any_other_file_as_given(tmp_path):
    assert setting_path("config/safeguarding/phrases.yml") == config_path("safeguarding", "phrases.yml")
    own = tmp_path / "phrases.yml"
    assert setting_path(str(own)) == own
    assert setting_path("mine/phrases.yml") == Path("mine/phrases.yml")


def test_writable_paths_default_to_the_users_state_and_cache_folders(tmp_path):
    settings = load_settings(environ={"XDG_STATE_HOME": str(tmp_path / "state"),
                                      "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert settings.database.url == f"sqlite:///{tmp_path / 'state' / 'cyswllt' / 'cyswllt.sqlite3'}"
    assert settings.nlu.cache_dir == str(tmp_path / "cache" / "cyswllt" / "nlu")
    chosen = load_settings(environ={"CYSWLLT_NLU_CACHE_DIR": "/srv/nlu", "XDG_CACHE_HOME": str(tmp_path)})
    assert chosen.nlu.cache_dir == "/srv/nlu"


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_pins_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    wanted.discard(project["name"])
    pinned = {_name(line) for line in (ROOT / "requirements.lock").read_text().splitlines()
              if line and not line.startswith((" ", "#"))}
    assert wanted - pinned == set(), "run the uv pip compile line in scripts/ensure-venv"
