"""Scores the safeguarding screen on labelled messages (tests/safeguarding/labelled/*.yml).

A labelled file holds one language's messages, each with a label:
- `risk`: a disclosure, which must get tier "clear" (the crisis contacts at once);
- `ambiguous`: wording that is unclear on its own, which must get at least the gentle check;
- `none`: a message of the kind the service receives every day, which must not get the crisis reply.

The figures, per language, part (dev or held-out), category and theme:
- recall: the share of disclosures given tier clear;
- caught: the share of disclosures given any tier (clear or possible);
- false-alarm rate: the share of non-risk messages given tier clear (the crisis reply);
- gentle-check share: the share of non-risk messages given tier possible.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

LABELS = ("risk", "ambiguous", "none")


class LabelledFileError(Exception):
    """A labelled file is missing or malformed (the message names the file)."""


@dataclass(frozen=True)
class Labelled:
    text: str
    language: str
    part: str
    label: str
    category: str = ""
    theme: str = ""


def load_labelled(path: str | Path) -> list[Labelled]:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        language, part = data["language"], data.get("part", file.stem)
        out = []
        for entry in data["messages"]:
            if entry["label"] not in LABELS:
                raise ValueError(f"label {entry['label']!r} is not one of {LABELS}")
            if not isinstance(entry["text"], str):
                raise ValueError(f"text {entry['text']!r} is not a string (quote it)")
            out.append(Labelled(entry["text"], language, part, entry["label"],
                                entry.get("category", ""), entry.get("theme", "")))
    except FileNotFoundError:
        raise LabelledFileError(f"labelled file {file} does not exist") from None
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise LabelledFileError(f"labelled file {file} is malformed: {exc}") from None
    return out


@dataclass
class Tally:
    """Counts of tiers given to one group of messages."""

    n: int = 0
    clear: int = 0
    possible: int = 0
    wrong_category: int = 0

    def add(self, tier: str | None, category_ok: bool = True) -> None:
        self.n += 1
        self.clear += tier == "clear"
        self.possible += tier == "possible"
        self.wrong_category += tier is not None and not category_ok

    def share(self, count: int) -> float:
        return round(count / self.n, 4) if self.n else 0.0


@dataclass
class Group:
    """One language and part: disclosures by category, ambiguous, non-risk by theme, and the slips."""

    language: str
    part: str
    risk: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    ambiguous: Tally = field(default_factory=Tally)
    none: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    missed: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)
    gentle: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        risk_all = _sum(self.risk.values())
        none_all = _sum(self.none.values())
        return {
            "language": self.language, "part": self.part,
            "disclosures": {
                "n": risk_all.n, "recall": risk_all.share(risk_all.clear),
                "caught": risk_all.share(risk_all.clear + risk_all.possible),
                "wrong_category": risk_all.wrong_category,
                "by_category": {name: {"n": t.n, "recall": t.share(t.clear),
                                       "possible": t.share(t.possible),
                                       "caught": t.share(t.clear + t.possible)}
                                for name, t in sorted(self.risk.items())},
            },
            "ambiguous": {"n": self.ambiguous.n, "clear": self.ambiguous.share(self.ambiguous.clear),
                          "caught": self.ambiguous.share(self.ambiguous.clear + self.ambiguous.possible)},
            "non_risk": {
                "n": none_all.n, "false_alarm_rate": none_all.share(none_all.clear),
                "gentle_check_rate": none_all.share(none_all.possible),
                "by_theme": {name: {"n": t.n, "false_alarm_rate": t.share(t.clear),
                                    "gentle_check_rate": t.share(t.possible)}
                             for name, t in sorted(self.none.items())},
            },
            "missed": self.missed, "false_alarms": self.false_alarms, "gentle_checks": self.gentle,
        }


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.n += t.n
        total.clear += t.clear
        total.possible += t.possible
        total.wrong_category += t.wrong_category
    return total


# A screen under test: (text, language) -> (tier or None, primary category or None).
Screen = Callable[[str, str], "tuple[str | None, str | None]"]


def evaluate(messages: Iterable[Labelled], screen: Screen) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for message in messages:
        group = groups.setdefault((message.language, message.part), Group(message.language, message.part))
        tier, category = screen(message.text, message.language)
        if message.label == "risk":
            group.risk[message.category].add(tier, category == message.category)
            if tier != "clear":
                group.missed.append({"text": message.text, "category": message.category, "tier": tier})
        elif message.label == "ambiguous":
            group.ambiguous.add(tier)
            if tier is None:
                group.missed.append({"text": message.text, "category": "ambiguous", "tier": tier})
        else:
            group.none[message.theme or "other"].add(tier)
            if tier == "clear":
                group.false_alarms.append({"text": message.text, "theme": message.theme, "category": category})
            elif tier == "possible":
                group.gentle.append({"text": message.text, "theme": message.theme, "category": category})
    return [groups[key] for key in sorted(groups)]


def combined(groups: list[Group]) -> list[Group]:
    """One group per language over all its parts (dev and held-out together)."""
    out: dict[str, Group] = {}
    for g in groups:
        total = out.setdefault(g.language, Group(g.language, "all"))
        for name, t in g.risk.items():
            total.risk[name] = _sum([total.risk[name], t])
        for name, t in g.none.items():
            total.none[name] = _sum([total.none[name], t])
        total.ambiguous = _sum([total.ambiguous, g.ambiguous])
        total.missed += g.missed
        total.false_alarms += g.false_alarms
        total.gentle += g.gentle
    return [out[k] for k in sorted(out)]


def report_json(groups: list[Group]) -> dict:
    parts = [g.as_json() for g in groups]
    languages = [g.as_json() for g in combined(groups)] if len({g.part for g in groups}) > 1 else []
    for entry in languages:
        entry.pop("missed"), entry.pop("false_alarms"), entry.pop("gentle_checks")
    return {"parts": parts, "languages": languages}


def report_text(groups: list[Group], show_slips: bool = True) -> str:
    lines = []
    rows = groups + (combined(groups) if len({g.part for g in groups}) > 1 else [])
    for g in rows:
        j = g.as_json()
        d, n, a = j["disclosures"], j["non_risk"], j["ambiguous"]
        lines.append(f"{g.language} {g.part}: disclosures {d['n']}: recall (clear) {d['recall']:.3f}, "
                     f"caught (any tier) {d['caught']:.3f}; ambiguous {a['n']}: caught {a['caught']:.3f}; "
                     f"non-risk {n['n']}: false alarms {n['false_alarm_rate']:.3f}, "
                     f"gentle check {n['gentle_check_rate']:.3f}")
        for name, c in d["by_category"].items():
            lines.append(f"    {name:<17} n={c['n']:<4} recall {c['recall']:.3f}  possible {c['possible']:.3f}")
        for name, t in n["by_theme"].items():
            lines.append(f"    {name:<17} n={t['n']:<4} false alarms {t['false_alarm_rate']:.3f}  "
                         f"gentle check {t['gentle_check_rate']:.3f}")
        if show_slips and g.part != "all":
            lines += [f"    MISSED ({m['category']}, {m['tier']}): {m['text']}" for m in g.missed]
            lines += [f"    FALSE ALARM ({m['theme']}): {m['text']}" for m in g.false_alarms]
            lines += [f"    GENTLE CHECK ({m['theme']}): {m['text']}" for m in g.gentle]
    return "\n".join(lines)
