"""Layers point down: bot/ may use storage/, flows/ and nlu/; none of those uses bot/, and storage/
does not use flows/. Flows see a narrow settings view with no secrets."""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from flows.base import FlowContext, FlowSettings

ROOT = Path(__file__).resolve().parent.parent
# package -> the top-level packages it must never import
FORBIDDEN = {
    "nlu": {"bot", "flows", "storage"},
    "flows": {"bot", "storage"},
    "storage": {"bot", "flows"},
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_layer_imports_a_layer_above_it():
    breaches = []
    for package, above in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in sorted(_imports(path)):
                if name.split(".")[0] in above:
                    breaches.append(f"{path.relative_to(ROOT)} imports {name}")
    assert breaches == [], "\n".join(breaches)


def test_flows_get_a_settings_view_without_secrets():
    fields = {f.name for f in dataclasses.fields(FlowSettings)}
    assert not {name for name in fields if any(w in name for w in ("token", "secret", "password", "url", "sid"))}
    assert isinstance(FlowContext(now=None, language="en", channel="sms").settings, FlowSettings)
