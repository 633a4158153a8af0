"""Message catalogs: every text a person sees, in Welsh and English, read from gettext .po files."""
from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from babel.messages.pofile import read_po

from flows.base import Labels, Reply
from nlu.mutations import MUTATIONS, mutate

LANGUAGES = ("cy", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "config" / "locale"
BILINGUAL = "cy+en"


class CatalogError(Exception):
    """The catalogs on disk are inconsistent (an operator or developer error)."""


@dataclass(frozen=True)
class RenderedOption:
    value: str
    label: str


@dataclass(frozen=True)
class Rendered:
    """A reply turned into text in one language (or both), before channel formatting."""

    body: str
    options: tuple[RenderedOption, ...]
    language: str


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def read_catalogs(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, Any]]:
    """lang -> key -> babel Message, merged over every domain's .po file."""
    catalogs: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        merged: dict[str, Any] = {}
        for po_path in sorted((locale_dir / lang / "LC_MESSAGES").glob("*.po")):
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            for message in catalog:
                if not message.id:
                    continue
                if message.id in merged:
                    raise CatalogError(f"{po_path}: key {message.id!r} is defined in another domain too")
                merged[message.id] = message
        catalogs[lang] = merged
    return catalogs


class Catalog:
    """Looks up and formats catalog messages."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]):
        self._texts = texts

    @classmethod
    def load(cls, locale_dir: Path = LOCALE_DIR,
             extra: Mapping[str, Mapping[str, str]] | None = None) -> "Catalog":
        """The .po catalogs, plus `extra` texts {key: {cy, en}} kept elsewhere (questionnaires)."""
        catalogs = read_catalogs(locale_dir)
        texts = {lang: {key: msg.string for key, msg in msgs.items()} for lang, msgs in catalogs.items()}
        for key, by_lang in (extra or {}).items():
            if key in texts["en"]:
                raise CatalogError(f"key {key!r} is in a .po catalog and in another source too")
            for lang in LANGUAGES:
                texts[lang][key] = by_lang[lang]
        return cls(texts)

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

    def labels(self, key: str, **params: Any) -> dict[str, str]:
        """The option label in every language, so a typed label in either is understood."""
        return {lang: self.text(key, lang, **params) for lang in LANGUAGES}

    def render(self, reply: Reply, person_language: str) -> Rendered:
        lang = reply.language or person_language
        body = self.text(reply.key, lang, **reply.params)
        option_lang = "cy" if lang == BILINGUAL else lang
        options = tuple(
            RenderedOption(o.value, self.text(o.label, option_lang, **o.params)) for o in reply.options
        )
        return Rendered(body, options, lang)


class _Name(str):
    """A text set into a message: "{activity:soft}" in a Welsh template mutates it (i Gylch Canu Bangor)."""

    def __format__(self, spec: str) -> str:
        if spec in MUTATIONS:
            return mutate(str(self), spec)
        return format(str(self), spec)
