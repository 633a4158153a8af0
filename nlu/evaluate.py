"""Score an NLU backend on a Rasa-format YAML file: per-intent P/R/F1, macro-F1, entity F1, latency."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from nlu import entities
from nlu.result import NLUBackend, Parse
from nlu.training_data import Example, load_examples


@dataclass
class Report:
    per_intent: dict[str, dict[str, float]]
    macro_f1: float
    entity_f1: float
    latency_ms: dict[str, float]
    errors: list[dict]

    def as_json(self) -> dict:
        return {"macro_f1": self.macro_f1, "per_intent": self.per_intent,
                "entity_f1": self.entity_f1, "latency_ms": self.latency_ms}

    def as_text(self) -> str:
        lines = [f"{'intent':<16}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
        for intent, m in sorted(self.per_intent.items()):
            lines.append(f"{intent:<16}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                         f"{m['support']:>9d}")
        lines.append(f"macro-F1 {self.macro_f1:.3f}   entity F1 {self.entity_f1:.3f}   "
                     f"latency p50 {self.latency_ms['p50']:.2f} ms  p99 {self.latency_ms['p99']:.2f} ms")
        for e in self.errors:
            lines.append(f"  wrong: {e['text']!r}: expected {e['expected']}, got {e['got']} "
                         f"({e['confidence']:.2f})")
        return "\n".join(lines)


def gold_value(entity: str, value: str) -> str:
    """Annotated values are compared in canonical form, as both backends return them."""
    canon = entities.canonical_place(value) if entity == "location" else entities.canonical_activity(value)
    return canon or value.lower()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def evaluate(backend: NLUBackend, lang: str, examples: list[Example]) -> Report:
    """Parse every example once and score intents (per class) and entities (entity, value) pairs."""
    timings: list[float] = []
    parses: list[Parse] = []
    for ex in examples:
        start = time.perf_counter()
        parses.append(backend.parse(ex.text, lang))
        timings.append((time.perf_counter() - start) * 1000)
    intents = sorted({ex.intent for ex in examples} | {p.intent for p in parses})
    per_intent: dict[str, dict[str, float]] = {}
    for intent in intents:
        tp = sum(1 for ex, p in zip(examples, parses) if ex.intent == intent and p.intent == intent)
        fp = sum(1 for ex, p in zip(examples, parses) if ex.intent != intent and p.intent == intent)
        fn = sum(1 for ex, p in zip(examples, parses) if ex.intent == intent and p.intent != intent)
        support = tp + fn
        if support == 0:
            continue  # predicted but absent from the file: counted in the others' precision
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {"precision": round(precision, 4), "recall": round(recall, 4),
                              "f1": round(f1, 4), "support": support}
    macro = sum(m["f1"] for m in per_intent.values()) / len(per_intent) if per_intent else 0.0
    tp = fp = fn = 0
    for ex, p in zip(examples, parses):
        gold = {(e.entity, gold_value(e.entity, e.value)) for e in ex.entities}
        got = {(e.entity, e.value) for e in p.entities}
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    entity_f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    errors = [{"text": ex.text, "expected": ex.intent, "got": p.intent, "confidence": p.confidence}
              for ex, p in zip(examples, parses) if ex.intent != p.intent]
    return Report(per_intent, round(macro, 4), round(entity_f1, 4),
                  {"p50": round(percentile(timings, 50), 3), "p99": round(percentile(timings, 99), 3)},
                  errors)


def evaluate_file(backend: NLUBackend, lang: str, path: Path) -> Report:
    return evaluate(backend, lang, load_examples(path))
