"""Read Rasa 3.x NLU YAML (intents, annotated examples) into plain examples."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.result import Entity

NLU_DIR = Path(__file__).resolve().parent
# [text](entity) or [text]{"entity": "...", "value": "..."}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<name>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...]  # values are the annotated surface text or the given value


def parse_example(raw: str, intent: str) -> Example:
    """Strip the entity markup from one example, keeping where each entity sits in the text."""
    text, entities, pos = [], [], 0
    offset = 0
    for m in _ANNOTATION.finditer(raw):
        text.append(raw[pos:m.start()])
        offset += m.start() - pos
        surface = m.group("text")
        if m.group("name"):
            name, value = m.group("name"), surface
        else:
            spec = json.loads(m.group("json"))
            name, value = spec["entity"], spec.get("value", surface)
        entities.append(Entity(name, value, offset, offset + len(surface)))
        text.append(surface)
        offset += len(surface)
        pos = m.end()
    text.append(raw[pos:])
    return Example("".join(text), intent, tuple(entities))


def load_examples(path: Path) -> list[Example]:
    """All intent examples in one Rasa NLU YAML file (lookups and synonyms are skipped)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise FileNotFoundError(f"NLU data file {path} does not exist") from None
    out = []
    for item in data.get("nlu", []) or []:
        if "intent" not in item:
            continue
        for line in str(item.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append(parse_example(line[2:].strip(), item["intent"]))
    return out


def training_files(lang: str) -> list[Path]:
    """The files a model for this language is trained from: never test.yml."""
    directory = NLU_DIR / lang
    if not directory.is_dir():
        raise FileNotFoundError(f"no NLU data for language {lang!r} in {directory}")
    return sorted(p for p in directory.glob("*.yml") if p.name not in ("test.yml", "config.yml"))


def data_hash(lang: str, *extra: str) -> str:
    """Hash of everything a trained model depends on, so a cache is reused only while valid."""
    h = hashlib.sha256()
    for path in training_files(lang) + [NLU_DIR / lang / "config.yml"]:
        if path.exists():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    for item in extra:
        h.update(item.encode())
    return h.hexdigest()[:16]
