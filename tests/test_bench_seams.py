"""Benches use the bot's public names only: a private name they read can be renamed or removed
without a test noticing (bench/stack_floor.py imported a statement the dispatcher no longer had)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
PROJECT = ("bot", "flows", "nlu", "storage")
BENCHES = sorted(BENCH.glob("*.py"))


def _private_names_read(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT:
            found += [f"{node.module}.{alias.name}" for alias in node.names if alias.name.startswith("_")]
    return found


@pytest.mark.parametrize("path", BENCHES, ids=lambda p: p.name)
def test_a_bench_imports_no_private_name_of_the_bot(path):
    assert _private_names_read(path) == []


def test_the_stack_floor_reads_no_private_attribute_and_imports():
    tree = ast.parse((BENCH / "stack_floor.py").read_text(encoding="utf-8"))
    private = [node.attr for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
               and not (isinstance(node.value, ast.Name) and node.value.id == "self")]
    assert private == []
    importlib.import_module("bench.stack_floor")
