"""Validated wellbeing questionnaires as plain data, and how their answers are scored.

The definitions are parsed from `config/questionnaires/*.yml` by the composition root
(`bot/questionnaire_files.py`) and handed to flows through `FlowContext.resources`; nothing
here reads a file. Texts are catalog keys (`q.<questionnaire>.<item>`), never literal text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from nlu import answers
from nlu.text import find_phrases

LANGS = ("cy", "en")
SKIPPED = "skipped"
DECLINED = "declined"
ANSWERED = "answered"


class QuestionnaireError(ValueError):
    """A questionnaire definition is malformed (names the file and the field)."""


@dataclass(frozen=True)
class Scale:
    """How an item is answered: a whole number in [low, high], or one of numbered options."""

    id: str
    kind: str                      # "numeric" or "options"
    low: int
    high: int
    options: tuple[int, ...] = ()  # option values, 1..N in the order they are offered
    # For each option, the frequency words its text says ("Hardly ever or never": hardly_ever, never),
    # so "hardly ever" or "weithiau" typed is read as that option (config/locale/<lang>/answers.yml).
    frequencies: tuple[tuple[str, ...], ...] = ()

    def option_for_frequency(self, answer: str) -> int | None:
        """The option a frequency answer ("sometimes", "prin byth") picks, or None if not exactly one."""
        said = find_phrases(answer, answers.groups("frequency"))
        if len(said) != 1 or not self.frequencies:
            return None
        fitting = [(len(concepts), value) for value, concepts in zip(self.options, self.frequencies)
                   if said[0] in concepts]
        if not fitting:
            return None
        fitting.sort()
        if len(fitting) > 1 and fitting[0][0] == fitting[1][0]:
            return None
        return fitting[0][1]


@dataclass(frozen=True)
class Item:
    id: str
    scale: str


@dataclass(frozen=True)
class Band:
    upto: float
    name: str


@dataclass(frozen=True)
class Measure:
    """One score reported for the instrument: an item's value, a sum, or a sum through a table."""

    id: str
    kind: str                      # "item", "sum" or "table"
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    higher_is: str
    statements: tuple[int, ...]
    table: Mapping[int, float] = field(default_factory=dict)
    # How the data set names it (config/dataset/statements.yml): {"instrument": ..., field: score}.
    instrument: str = ""
    field: str = "score"


@dataclass(frozen=True)
class Questionnaire:
    id: str
    items: tuple[Item, ...]
    scales: Mapping[str, Scale]
    measures: tuple[Measure, ...]

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def scale_of(self, item_id: str) -> Scale:
        return self.scales[self.item(item_id).scale]

    # Catalog keys for the texts of this questionnaire.
    def intro_key(self) -> str:
        return f"q.{self.id}.intro"

    def item_key(self, item_id: str) -> str:
        return f"q.{self.id}.{item_id}"

    def help_key(self, scale_id: str) -> str:
        return f"q.{self.id}.scale.{scale_id}.help"

    def option_key(self, scale_id: str, value: int) -> str:
        return f"q.{self.id}.scale.{scale_id}.option.{value}"


# ---------------------------------------------------------------- parsing


def _bilingual(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise QuestionnaireError(f"{where}: expected {{cy: ..., en: ...}}")
    texts = {}
    for lang in LANGS:
        text = data.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise QuestionnaireError(f"{where}.{lang}: missing or empty")
        texts[lang] = text.strip()
    return texts


def parse_questionnaire(data: Mapping[str, Any], origin: str) -> tuple[Questionnaire, dict[str, dict[str, str]]]:
    """A definition and its texts ({catalog key: {cy, en}}) from one parsed YAML document."""
    try:
        return _parse(data, origin)
    except QuestionnaireError:
        raise
    except (KeyError, TypeError, ValueError, StopIteration) as exc:
        raise QuestionnaireError(f"{origin}: malformed questionnaire ({exc!r})") from None


def _parse(data: Mapping[str, Any], origin: str) -> tuple[Questionnaire, dict[str, dict[str, str]]]:
    qid = data.get("id")
    if not isinstance(qid, str) or not qid.isidentifier():
        raise QuestionnaireError(f"{origin}: id must be a simple name")
    for required in ("source", "licence", "attribution"):
        if not str(data.get(required) or "").strip():
            raise QuestionnaireError(f"{origin}: {required} is required")
    texts: dict[str, dict[str, str]] = {
        f"q.{qid}.name": _bilingual(data.get("name"), f"{origin}: name"),
        f"q.{qid}.intro": _bilingual(data.get("intro"), f"{origin}: intro"),
    }
    scales: dict[str, Scale] = {}
    for scale_id, spec in (data.get("scales") or {}).items():
        where = f"{origin}: scales.{scale_id}"
        texts[f"q.{qid}.scale.{scale_id}.help"] = _bilingual(spec.get("help"), f"{where}.help")
        if spec.get("kind") == "numeric":
            low, high = int(spec["min"]), int(spec["max"])
            if not 0 <= low < high <= 99:
                raise QuestionnaireError(f"{where}: min and max must be 0 <= min < max <= 99")
            scales[scale_id] = Scale(scale_id, "numeric", low, high)
            texts[f"q.{qid}.scale.{scale_id}.hint"] = _bilingual(spec.get("hint"), f"{where}.hint")
        elif spec.get("kind") == "options":
            values = [int(o["value"]) for o in spec["options"]]
            # Offered options are numbered 1..N on SMS; their values must be those numbers.
            if values != list(range(1, len(values) + 1)):
                raise QuestionnaireError(f"{where}: option values must be 1, 2, 3... in order")
            for option in spec["options"]:
                texts[f"q.{qid}.scale.{scale_id}.option.{option['value']}"] = _bilingual(
                    option.get("text"), f"{where}.options.{option['value']}")
            frequencies = tuple(
                tuple(dict.fromkeys(c for lang in ("en", "cy")
                                    for c in find_phrases(str((option.get("text") or {}).get(lang, "")),
                                                          answers.groups("frequency"))))
                for option in spec["options"])
            scales[scale_id] = Scale(scale_id, "options", 1, len(values), tuple(values),
                                     frequencies if any(frequencies) else ())
        else:
            raise QuestionnaireError(f"{where}: kind must be numeric or options")
    items = []
    for index, spec in enumerate(data.get("items") or []):
        where = f"{origin}: items[{index}]"
        if spec.get("scale") not in scales:
            raise QuestionnaireError(f"{where}: scale {spec.get('scale')!r} is not defined under scales")
        items.append(Item(str(spec["id"]), spec["scale"]))
        texts[f"q.{qid}.{spec['id']}"] = _bilingual(spec.get("text"), f"{where}.text")
    if not items:
        raise QuestionnaireError(f"{origin}: no items")
    bands = {
        name: tuple(Band(float(b["upto"]), str(b["name"])) for b in spec)
        for name, spec in (data.get("bands") or {}).items()
    }
    item_ids = {i.id for i in items}
    measures = []
    for spec in data.get("measures") or []:
        kind = spec["kind"]
        members = (spec["item"],) if kind == "item" else tuple(spec["items"])
        if not set(members) <= item_ids:
            raise QuestionnaireError(f"{origin}: measure {spec['id']} names unknown items")
        if spec.get("bands") not in bands:
            raise QuestionnaireError(f"{origin}: measure {spec['id']} names unknown bands")
        table = {int(k): float(v) for k, v in (spec.get("table") or {}).items()}
        if kind == "table":
            low = sum(scales[next(i for i in items if i.id == m).scale].low for m in members)
            high = sum(scales[next(i for i in items if i.id == m).scale].high for m in members)
            if set(table) != set(range(low, high + 1)):
                raise QuestionnaireError(f"{origin}: measure {spec['id']} table must cover {low}..{high}")
        elif kind not in ("item", "sum"):
            raise QuestionnaireError(f"{origin}: measure {spec['id']} kind must be item, sum or table")
        measures.append(Measure(str(spec["id"]), kind, members, bands[spec["bands"]],
                                str(spec.get("higher_is", "better")),
                                tuple(int(s) for s in spec.get("statements") or ()), table,
                                str(spec.get("instrument") or qid), str(spec.get("field") or "score")))
    return Questionnaire(qid, tuple(items), scales, tuple(measures)), texts


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Score:
    """One measure's result for one check-in: None when an item it needs was not answered."""

    questionnaire: str
    measure: str
    raw: int | None
    value: float | None
    band: str | None
    statements: tuple[int, ...]
    higher_is: str


def band_of(value: float, bands: tuple[Band, ...]) -> str | None:
    for band in bands:
        if value <= band.upto:
            return band.name
    return None


def score(questionnaire: Questionnaire, answers: Mapping[str, int | None]) -> list[Score]:
    """Every measure of a questionnaire from {item id: value, or None if skipped/declined}."""
    results = []
    for measure in questionnaire.measures:
        values = [answers.get(item) for item in measure.items]
        raw: int | None = None
        value: float | None = None
        if all(v is not None for v in values):
            raw = sum(values)  # type: ignore[arg-type]
            value = measure.table[raw] if measure.kind == "table" else float(raw)
        band = band_of(value, measure.bands) if value is not None else None
        results.append(Score(questionnaire.id, measure.id, raw, value, band, measure.statements,
                             measure.higher_is))
    return results
