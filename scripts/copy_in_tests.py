"""How many strings the tests assert that are catalog copy (issue 21): a translator's pass breaks each.

Counts the string literals given to `.expect(...)` (its fragments, `before=` and `absent=`) and
the string side of `in`/`==` comparisons, that are found in a catalog text (Welsh or English, a
questionnaire's too, between its placeholders). Prints the count per folder and the total;
`--list` prints each one. Usage: python scripts/copy_in_tests.py [--list] [paths...]
"""
from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

from bot.catalog import LANGUAGES, forms, read_catalogs
from bot.questionnaire_files import load_questionnaires

ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_IDENTIFIER = re.compile(r"[a-z0-9_.]+")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def copy_pieces() -> list[str]:
    """Every catalog text's pieces between placeholders, folded."""
    texts = [f for msgs in read_catalogs().values() for m in msgs.values() for f in forms(m)]
    texts += [t[lang] for t in load_questionnaires().texts.values() for lang in LANGUAGES]
    return [_fold(piece) for t in texts for piece in _PLACEHOLDER.split(t) if piece.strip()]


def asserted_strings(tree: ast.AST) -> list[ast.Constant]:
    found: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "expect":
            found += [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            for kw in node.keywords:
                if kw.arg == "before" and isinstance(kw.value, ast.Constant):
                    found.append(kw.value)
                if kw.arg == "absent" and isinstance(kw.value, (ast.Tuple, ast.List)):
                    found += [e for e in kw.value.elts if isinstance(e, ast.Constant)]
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn, ast.Eq, ast.NotEq))
                                                   for op in node.ops):
            strings = [s for s in (node.left, *node.comparators)
                       if isinstance(s, ast.Constant) and isinstance(s.value, str)]
            if not any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                # `== "closed"` compares a status or a flow's name, not copy.
                strings = [s for s in strings if not _IDENTIFIER.fullmatch(s.value)]
            found += strings
    return found


def is_copy(literal: str, pieces: list[str]) -> bool:
    """Whether the literal is in a catalog text as whole words ("1 Yes" is option 1's label)."""
    text = _fold(re.sub(r"^\d+ ", "", literal))
    if len(text) < 3:
        return False
    words = re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")
    return any(text in piece and words.search(piece) for piece in pieces)


def main(argv: list[str]) -> None:
    show = "--list" in argv
    paths = [Path(a) for a in argv if a != "--list"] or [ROOT / "tests"]
    pieces = copy_pieces()
    per_folder: Counter[str] = Counter()
    for path in sorted(p for root in paths for p in ([root] if root.is_file() else root.rglob("*.py"))):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for literal in asserted_strings(tree):
            if isinstance(literal.value, str) and is_copy(literal.value, pieces):
                parts = path.resolve().parts
                rel = Path(*parts[len(parts) - 1 - parts[::-1].index("tests"):])   # from the last "tests" on
                per_folder[str(rel.parent) if rel.parent.name != "tests" else str(rel)] += 1
                if show:
                    print(f"{rel}:{literal.lineno}: {literal.value!r}")
    for folder, n in sorted(per_folder.items(), key=lambda kv: -kv[1]):
        print(f"{n:5d}  {folder}")
    print(f"{sum(per_folder.values()):5d}  asserted strings that are catalog copy")


if __name__ == "__main__":
    main(sys.argv[1:])
