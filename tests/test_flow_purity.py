"""Flows are pure: no flow module imports a channel, a database session, or the clock."""
from __future__ import annotations

import ast
from pathlib import Path

FLOWS = Path(__file__).resolve().parent.parent / "flows"
FORBIDDEN = ("bot", "storage", "sqlalchemy", "telegram", "twilio", "httpx", "time", "apscheduler")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_flows_import_nothing_impure():
    offenders = {}
    for path in FLOWS.rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
        if bad:
            offenders[path.name] = bad
    assert not offenders


def test_flows_do_not_read_the_clock():
    for path in FLOWS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "datetime.now(" not in text and "date.today(" not in text, path.name
