"""Message catalogs: every text a person sees, in Welsh and English, read from gettext .po files."""
from __future__ import annotations

import gettext
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from babel.messages.pofile import read_po

from config import config_path
from flows.base import Labels, Reply
from nlu.mutations import MUTATIONS, mutate

LANGUAGES = ("cy", "en")
LOCALE_DIR = config_path("locale")
BILINGUAL = "cy+en"


class CatalogError(Exception):
    """The catalogs on disk are inconsistent (an operator or developer error)."""


@dataclass(frozen=True)
class RenderedOption:
    value: str
    label: str
    command: str = ""


@dataclass(frozen=True)
class Rendered:
    """A reply turned into text in one language (or both), before channel formatting."""

    body: str
    options: tuple[RenderedOption, ...]
    language: str


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message_key(message: Any) -> str:
    """A message's key: its id, or for a message with plural forms its singular id."""
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def forms(message: Any) -> tuple[str, ...]:
    """A message's text forms: one, or one per plural form."""
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def read_catalogs(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, Any]]:
    """lang -> key -> babel Message, merged over every domain's .po file."""
    catalogs: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        merged: dict[str, Any] = {}
        for po_path in sorted((locale_dir / lang / "LC_MESSAGES").glob("*.po")):
            plural_expr, messages = _read_po(po_path, lang, po_path.stat().st_mtime_ns)
            for message in messages:
                if not message.id:
                    continue
                key = message_key(message)
                if key in merged:
                    raise CatalogError(f"{po_path}: key {key!r} is defined in another domain too")
                # The domain's plural rule goes with its plural messages (Babel's, from the header).
                message.plural_rule = gettext.c2py(plural_expr) if message.pluralizable else None
                merged[key] = message
        catalogs[lang] = merged
    return catalogs


@lru_cache(maxsize=256)
def _read_po(path: Path, lang: str, mtime_ns: int) -> tuple[str, tuple[Any, ...]]:
    """One .po file's plural rule and messages, parsed once per version of the file (an app is built per test)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return catalog.plural_expr, tuple(catalog)


class Catalog:
    """Looks up and formats catalog messages."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]],
                 plurals: Mapping[str, Mapping[str, tuple[Any, tuple[str, ...]]]] | None = None):
        self._texts = texts
        # lang -> key -> (plural rule, forms), for messages with plural forms (ntext).
        self._plurals = plurals or {lang: {} for lang in LANGUAGES}

    @classmethod
    def load(cls, locale_dir: Path = LOCALE_DIR,
             extra: Mapping[str, Mapping[str, str]] | None = None) -> "Catalog":
        """The .po catalogs, plus `extra` texts {key: {cy, en}} kept elsewhere (questionnaires)."""
        catalogs = read_catalogs(locale_dir)
        texts = {lang: {key: forms(msg)[0] for key, msg in msgs.items()} for lang, msgs in catalogs.items()}
        plurals = {lang: {key: (msg.plural_rule, forms(msg)) for key, msg in msgs.items() if msg.pluralizable}
                   for lang, msgs in catalogs.items()}
        for key, by_lang in (extra or {}).items():
            if key in texts["en"]:
                raise CatalogError(f"key {key!r} is in a .po catalog and in another source too")
            for lang in LANGUAGES:
                texts[lang][key] = by_lang[lang]
        return cls(texts, plurals)

    def has(self, key: str) -> bool:
        return key in self._texts["en"]

    def text(self, key: str, lang: str, **params: Any) -> str:
        if lang == BILINGUAL:
            return self.text(key, "cy", **params) + "\n" + self.text(key, "en", **params)
        template = self._texts[lang].get(key) or self._texts["en"][key]
        if not params:
            return template
        return template.format_map({name: self._param(value, lang) for name, value in params.items()})

    def _param(self, value: Any, lang: str) -> Any:
        if isinstance(value, Labels):
            return _Name(", ".join(self.text(key, lang) for key in value.keys))
        return _Name(value) if isinstance(value, str) else value

    def fill(self, template: str, lang: str, **params: Any) -> str:
        """Any text with the message's parameters set in as `text` sets them (mutations too)."""
        return template.format_map({name: self._param(value, lang) for name, value in params.items()})

    def ntext(self, key: str, n: int, lang: str, **params: Any) -> str:
        """The form of a message for the number n (gettext's ngettext, with Babel's plural rules)."""
        found = self._plurals.get(lang, {}).get(key) or self._plurals.get("en", {}).get(key)
        if found is None:
            return self.text(key, lang, n=n, **params)
        rule, texts = found
        index = rule(n) if rule else 0
        template = texts[index] if index < len(texts) and texts[index] else texts[0]
        return template.format_map({"n": f"{n:,}", **params})

    def labels(self, key: str, **params: Any) -> dict[str, str]:
        """The option label in every language, so a typed label in either is understood."""
        return {lang: self.text(key, lang, **params) for lang in LANGUAGES}

    def render(self, reply: Reply, person_language: str) -> Rendered:
        lang = reply.language or person_language
        body = self.text(reply.key, lang, **reply.params)
        option_lang = "cy" if lang == BILINGUAL else lang
        options = tuple(
            RenderedOption(o.value, self.text(o.label, option_lang, **o.params),
                           self.text(o.command, option_lang, **o.params) if o.command else "")
            for o in reply.options
        )
        return Rendered(body, options, lang)


class _Name(str):
    """A text set into a message: "{activity:soft}" in a Welsh template mutates it (i Gylch Canu Bangor)."""

    def __format__(self, spec: str) -> str:
        if spec in MUTATIONS:
            return mutate(str(self), spec)
        return format(str(self), spec)
