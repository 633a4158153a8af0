"""Reliable change (Jacobson & Truax 1991): how big a person's change must be to exceed measurement error."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from config import config_path

RELIABLE_CHANGE_FILE = config_path("dataset", "reliable_change.yml")
Z = 1.96


@dataclass(frozen=True)
class Threshold:
    sd: float
    reliability: float
    source: str

    @property
    def value(self) -> float:
        """1.96 x the standard error of a difference: SD x sqrt(2) x sqrt(1 - r)."""
        return reliable_change_threshold(self.sd, self.reliability)


def reliable_change_threshold(sd: float, reliability: float) -> float:
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError(f"SD {sd} and reliability {reliability} cannot give a threshold")
    return Z * sd * math.sqrt(2.0 * (1.0 - reliability))


def classify(changes: Iterable[float], threshold: float, better: str | None) -> tuple[int, int, int]:
    """(reliably better, no reliable change, reliably worse) among the changes; `better` is higher/lower."""
    improved = worse = same = 0
    sign = -1.0 if better == "lower" else 1.0
    for change in changes:
        if sign * change > threshold:
            improved += 1
        elif -sign * change > threshold:
            worse += 1
        else:
            same += 1
    return improved, same, worse


def load_thresholds(path: Path = RELIABLE_CHANGE_FILE) -> Mapping[tuple[int, str, str], Threshold]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {(int(m["statement"]), str(m["instrument"]), str(m["item"])):
            Threshold(float(m["sd"]), float(m["reliability"]), str(m["source"]))
            for m in data["measures"]}
