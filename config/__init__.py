"""Cyswllt's shipped data: catalogs, questionnaires, safeguarding lists, gazetteer, sample assets...

The folder is a package only so that it installs with the code (every file in it, by glob: see
pyproject.toml) and is found through importlib.resources in a checkout, an editable install, a
wheel in site-packages and the image alike. Read it through config_path, never by a path
relative to a module.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml

SHIPPED_PREFIX = "config/"
# libyaml's loader where PyYAML was built with it: the same documents, read some ten times faster.
# The app reads its data files at every start (and the tests start it some thousands of times):
# the safeguarding phrase list alone cost 50 ms of CPU in the pure-Python loader.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def config_path(*parts: str) -> Path:
    """A file or folder in config/: config_path("locale"), config_path("data", "activities.yml")."""
    root = files(__name__)
    if not isinstance(root, Path):
        # Only a zipped install would do this; pip and the image always install unzipped.
        raise RuntimeError(f"Cyswllt's data is not on the file system ({root!r}): install it unzipped")
    return root.joinpath(*parts)


def setting_path(value: str | Path) -> Path:
    """A file named by a setting: "config/..." is the shipped copy; any other path is used as given."""
    text = str(value)
    if text.startswith(SHIPPED_PREFIX):
        return config_path(*Path(text[len(SHIPPED_PREFIX):]).parts)
    return Path(text).expanduser()


def user_dir(kind: Literal["state", "cache"], environ: Mapping[str, str] | None = None) -> Path:
    """Where Cyswllt writes by default: $XDG_STATE_HOME or $XDG_CACHE_HOME (~/.local/state, ~/.cache) + /cyswllt,
    read from `environ` (default os.environ).

    Never the source tree or the installed package, which may be read-only (a wheel, the image).
    """
    variable, fallback = {"state": ("XDG_STATE_HOME", ".local/state"), "cache": ("XDG_CACHE_HOME", ".cache")}[kind]
    base = (os.environ if environ is None else environ).get(variable) or str(Path.home() / fallback)
    return Path(base).expanduser() / "cyswllt"


def load_yaml(text: str) -> Any:
    """yaml.safe_load's result, read by libyaml when it is there."""
    return yaml.load(text, Loader=_SAFE_LOADER)
