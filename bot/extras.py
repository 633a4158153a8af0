"""Optional extras: a command that needs one which is not installed says so in one line."""
from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(Exception):
    """A command needs an optional extra that is not installed; the message says how to add it."""


def require_extra(module: str, extra: str, needed_for: str) -> ModuleType:
    """Import `module` from the optional `extra`, or raise MissingExtra naming the install command."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module.split(".")[0]:
            raise  # something else is missing: a real bug, not an extra left out
        raise MissingExtra(
            f"{needed_for} needs the optional '{extra}' extra ({module} is not installed): "
            f"pip install 'cyswllt[{extra}]'"
        ) from None
