"""Every text a person sees exists in Welsh and English, is used, and Welsh is marked for review."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalog import LOCALE_DIR, forms, placeholders, read_catalogs

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "flows", "nlu", "storage", "config")
CATALOGS = read_catalogs()
KEYS = sorted(CATALOGS["en"])


def source_text() -> str:
    chunks = []
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".yml", ".yaml", ".toml", ".json"} and LOCALE_DIR not in path.parents:
                chunks.append(path.read_text(encoding="utf-8"))
    return "\n".join(chunks)


def test_both_languages_have_the_same_keys():
    assert set(CATALOGS["cy"]) == set(CATALOGS["en"])


@pytest.mark.parametrize("key", KEYS)
def test_every_message_has_non_empty_welsh_and_english(key):
    assert all(f.strip() for f in forms(CATALOGS["cy"][key])), f"{key} has no Welsh (or a plural form is empty)"
    assert all(f.strip() for f in forms(CATALOGS["en"][key])), f"{key} has no English (or a plural form is empty)"


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match_across_languages(key):
    for welsh in forms(CATALOGS["cy"][key]):
        assert placeholders(welsh) == placeholders(forms(CATALOGS["en"][key])[0])


@pytest.mark.parametrize("key", KEYS)
def test_welsh_is_marked_reviewed_or_for_review(key):
    comments = " ".join(CATALOGS["cy"][key].user_comments)
    assert re.search(r"needs-review|reviewed-by:", comments), f"{key}: Welsh not marked for review"


def test_every_catalog_entry_is_used_somewhere():
    text = source_text()
    unused = [key for key in KEYS if not re.search(r"(?<![\w.])" + re.escape(key) + r"(?![\w.])", text)]
    assert not unused, f"catalog entries used nowhere: {unused}"


def test_welsh_letters_are_kept():
    welsh = " ".join(f for m in CATALOGS["cy"].values() for f in forms(m))
    assert "â" in welsh  # e.g. "peidio â": a catalog pass that stripped accents would fail here
