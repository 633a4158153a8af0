"""Adds or updates messages in a catalog domain's Welsh and English .po files in one go.

`python -m bot.catalog_tool DOMAIN FILE.yml`, where FILE.yml (a scratch file, not kept) maps each
key to {cy: ..., en: ...}. The .po files stay the one source of truth; entries not in FILE.yml are
kept as they are. Welsh texts get the translator-review comment unless the entry has `reviewed_by`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import read_po, write_po

from bot.catalog import LANGUAGES, LOCALE_DIR

REVIEW = "needs-review: Welsh drafted by the Cyswllt team; to be checked by a Welsh translator"


def write_domain(domain: str, texts: dict[str, dict[str, str]], locale_dir: Path = LOCALE_DIR) -> None:
    for lang in LANGUAGES:
        path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang, domain=domain)
        else:
            catalog = PoCatalog(locale=lang, project="Cyswllt", domain=domain, charset="utf-8")
        for key, entry in texts.items():
            if key in catalog:
                del catalog[key]
            comments = []
            if lang == "cy":
                comments = [f"reviewed-by: {entry['reviewed_by']}"] if entry.get("reviewed_by") else [REVIEW]
            catalog.add(key, entry[lang], user_comments=comments)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bot.catalog_tool DOMAIN FILE.yml", file=sys.stderr)
        return 2
    texts = yaml.safe_load(Path(argv[1]).read_text(encoding="utf-8"))
    write_domain(argv[0], texts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
