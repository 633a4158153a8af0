"""The Appendix Five catalogue (config/dataset/statements.yml) as typed, checked data."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from config import config_path

CATALOGUE_FILE = config_path("dataset", "statements.yml")
QUESTIONS = ("how_much", "how_well", "better_off")
COLLECTION = ("automatic", "person", "practitioner", "derived", "not_collected")
DATA_TYPES = {"ILO", "PLO", "PM", "NI", "PMO"}


class CatalogueError(Exception):
    """The catalogue file is malformed; the message names the file and the statement."""


@dataclass(frozen=True)
class Field:
    """One key of a statement's value dict: its type and, for enums and lists, its values."""

    name: str
    type: str
    # value -> catalog key of its label (None: shown as it is)
    values: Mapping[str, str | None] = field(default_factory=dict)
    better: str | None = None          # "higher" or "lower" for scores
    range: tuple[float, float] | None = None
    label: str | None = None           # catalog key naming a score in the report


@dataclass(frozen=True)
class Statement:
    number: int
    text: str
    cluster: int
    bridging: float
    importance: float
    ease: float
    types: tuple[str, ...]
    rba: str
    collection: str
    flows: tuple[str, ...] = ()
    fields: Mapping[str, Field] = field(default_factory=dict)
    note: str = ""
    table2: str | None = None          # the Table 2 question it is a Top 5 measure of
    title: str | None = None           # catalog key of a Table 2 measure's short title

    @property
    def collected(self) -> bool:
        return self.collection != "not_collected"


@dataclass(frozen=True)
class Catalogue:
    statements: Mapping[int, Statement]
    table2: Mapping[str, tuple[int, ...]]

    def __getitem__(self, number: int) -> Statement:
        return self.statements[number]

    def label_key(self, number: int, field_name: str, value: str) -> str | None:
        """The catalog key naming `value` of a statement's field, or None to show it as is."""
        spec = self.statements[number].fields.get(field_name)
        return spec.values.get(value) if spec else None

    def problems(self, number: int, value: Mapping[str, Any]) -> list[str]:
        """What is wrong with a value a flow emitted for this statement (empty: it fits)."""
        statement = self.statements.get(number)
        if statement is None:
            return [f"{number} is not an Appendix Five statement"]
        found = []
        for name, given in value.items():
            spec = statement.fields.get(name)
            if spec is None:
                if statement.fields:
                    found.append(f"{number}: unexpected key {name!r}")
                continue
            found.extend(_check(number, spec, given))
        return found


def _check(number: int, spec: Field, given: Any) -> list[str]:
    where = f"{number}.{spec.name}"
    if spec.type == "boolean" and not isinstance(given, bool):
        return [f"{where}: expected true/false, got {given!r}"]
    if spec.type == "number":
        if isinstance(given, bool) or not isinstance(given, (int, float)):
            return [f"{where}: expected a number, got {given!r}"]
        if spec.range and not spec.range[0] <= given <= spec.range[1]:
            return [f"{where}: {given} outside {spec.range[0]}..{spec.range[1]}"]
    if spec.type == "enum" and given not in spec.values:
        return [f"{where}: {given!r} not one of {sorted(spec.values)}"]
    if spec.type == "list":
        if not isinstance(given, list):
            return [f"{where}: expected a list, got {given!r}"]
        return [f"{where}: {item!r} not one of {sorted(spec.values)}" for item in given if item not in spec.values]
    if spec.type == "string" and not isinstance(given, str):
        return [f"{where}: expected text, got {given!r}"]
    return []


def _field(path: Path, number: int, name: str, raw: Mapping[str, Any], others: Mapping[int, Mapping]) -> Field:
    kind = raw.get("type")
    if kind not in ("enum", "list", "boolean", "number", "string"):
        raise CatalogueError(f"{path}: statement {number} value {name}: unknown type {kind!r}")
    values = raw.get("values")
    if "same_values_as" in raw:
        values = others[raw["same_values_as"]]["value"][name]["values"]
    values = {str(k): v for k, v in (values or {}).items()}
    span = tuple(raw["range"]) if "range" in raw else None
    return Field(name, kind, values, raw.get("better"), span, raw.get("label"))


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Read and check the catalogue; a mistake in it names the file and the statement."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read the Core Data Set catalogue: {exc}") from None
    table2 = {q: tuple(data["table2"].get(q, ())) for q in QUESTIONS}
    in_table2 = {n: q for q, numbers in table2.items() for n in numbers}
    raw_by_number = {raw["number"]: raw for raw in data["statements"]}
    statements = {}
    for raw in data["statements"]:
        number = raw["number"]
        if raw["rba"] not in QUESTIONS + ("none",):
            raise CatalogueError(f"{path}: statement {number}: rba {raw['rba']!r}")
        if raw["collection"] not in COLLECTION:
            raise CatalogueError(f"{path}: statement {number}: collection {raw['collection']!r}")
        if not set(raw["types"]) <= DATA_TYPES:
            raise CatalogueError(f"{path}: statement {number}: types {raw['types']!r}")
        fields = {name: _field(path, number, name, spec, raw_by_number)
                  for name, spec in (raw.get("value") or {}).items()}
        statements[number] = Statement(
            number=number, text=raw["text"], cluster=raw["cluster"], bridging=raw["bridging"],
            importance=raw["importance"], ease=raw["ease"], types=tuple(raw["types"]), rba=raw["rba"],
            collection=raw["collection"], flows=tuple(raw.get("flows", ())), fields=fields,
            note=raw.get("note", ""), table2=in_table2.get(number), title=raw.get("title"),
        )
    untitled = [n for n in in_table2 if n in statements and not statements[n].title]
    if untitled:
        raise CatalogueError(f"{path}: Table 2 measures need a title key: {untitled}")
    missing = [n for n in in_table2 if n not in statements]
    if missing:
        raise CatalogueError(f"{path}: table2 names statements not in the list: {missing}")
    return Catalogue(statements, table2)
