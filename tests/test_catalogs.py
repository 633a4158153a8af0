"""Every text a person sees exists in Welsh and English, is used, and Welsh is marked for review."""
from __future__ import annotations

import re
from pathlib import Path

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


def every_key_passes(failures: list[str], rule: str) -> None:
    """One assertion for a rule checked over every key, naming each key that breaks it."""
    assert not failures, f"{len(failures)} catalog entries break the rule: {rule}\n" + "\n".join(
        f"  {failure}" for failure in failures)


def test_every_message_has_non_empty_welsh_and_english():
    failures = [f"{key}: no {name} (or a plural form is empty)"
                for key in KEYS for lang, name in (("cy", "Welsh"), ("en", "English"))
                if not all(f.strip() for f in forms(CATALOGS[lang][key]))]
    every_key_passes(failures, "every message has Welsh and English")


def test_placeholders_match_across_languages():
    failures = []
    for key in KEYS:
        english = placeholders(forms(CATALOGS["en"][key])[0])
        for welsh in forms(CATALOGS["cy"][key]):
            if placeholders(welsh) != english:
                failures.append(f"{key}: Welsh has {sorted(placeholders(welsh))}, English {sorted(english)}")
    every_key_passes(failures, "the Welsh and English texts have the same placeholders")


def test_welsh_is_marked_reviewed_or_for_review():
    failures = [f"{key}: Welsh not marked needs-review or reviewed-by:" for key in KEYS
                if not re.search(r"needs-review|reviewed-by:", " ".join(CATALOGS["cy"][key].user_comments))]
    every_key_passes(failures, "every Welsh text is marked for a translator's review or reviewed")


def test_every_catalog_entry_is_used_somewhere():
    # A key is used where it stands whole: not inside a longer dotted name or word. Every such
    # whole run of word characters and dots in the sources, found in one pass (a search of the
    # whole text for each key took most of a minute).
    runs = set(re.findall(r"[\w.]+", source_text()))
    unused = [key for key in KEYS if key not in runs]
    assert not unused, f"catalog entries used nowhere: {unused}"


def test_welsh_letters_are_kept():
    welsh = " ".join(f for m in CATALOGS["cy"].values() for f in forms(m))
    assert "â" in welsh  # e.g. "peidio â": a catalog pass that stripped accents would fail here
