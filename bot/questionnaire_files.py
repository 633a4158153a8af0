"""Reads the questionnaire definitions in config/questionnaires/*.yml, once, at start."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from config import config_path, load_yaml
from flows.questionnaires import Questionnaire, QuestionnaireError, parse_questionnaire

QUESTIONNAIRE_DIR = config_path("questionnaires")
REVIEW_MARK = "needs-review"


@dataclass(frozen=True)
class QuestionnaireSet:
    """Every questionnaire by id, and the texts they add to the catalog ({key: {cy, en}})."""

    questionnaires: dict[str, Questionnaire]
    texts: dict[str, dict[str, str]]
    # Per questionnaire: the Welsh review marker, source, licence and attribution, for reports.
    about: dict[str, dict[str, str]]


def _catalog_texts(texts: dict[str, dict[str, str]], questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    """Item texts become full prompts: "(3/15) question" plus the scale's hint for number scales."""
    out = dict(texts)
    for item in questionnaire.items:
        key = questionnaire.item_key(item.id)
        scale = questionnaire.scales[item.scale]
        hint = texts.get(f"q.{questionnaire.id}.scale.{scale.id}.hint")
        out[key] = {
            lang: "({number}/{total}) " + texts[key][lang] + (f"\n{hint[lang]}" if hint else "")
            for lang in ("cy", "en")
        }
    return out


def load_questionnaires(directory: Path = QUESTIONNAIRE_DIR, wanted: Iterable[str] | None = None) -> QuestionnaireSet:
    """Parse every file (so a broken one is found at start), naming the file in any error."""
    questionnaires: dict[str, Questionnaire] = {}
    texts: dict[str, dict[str, str]] = {}
    about: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.yml")):
        version = path.stat()
        questionnaire, own_texts, own_about = _read_file(path, version.st_mtime_ns, version.st_size)
        if questionnaire.id in questionnaires:
            raise QuestionnaireError(f"{path}: id {questionnaire.id!r} is used by another file too")
        questionnaires[questionnaire.id] = questionnaire
        texts.update(own_texts)
        about[questionnaire.id] = dict(own_about)
    for name in wanted or ():
        if name not in questionnaires:
            raise QuestionnaireError(
                f"CYSWLLT_CHECKINS_QUESTIONNAIRES names {name!r}, which is not in {directory} "
                f"(there are: {', '.join(sorted(questionnaires))})")
    return QuestionnaireSet(questionnaires, texts, about)


@lru_cache(maxsize=64)
def _read_file(path: Path, mtime_ns: int, size: int) -> tuple[Questionnaire, dict[str, dict[str, str]], dict[str, str]]:
    """One file's questionnaire, catalog texts and about, read once per version of the file (an app is built per test)."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuestionnaireError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise QuestionnaireError(f"{path}: expected a mapping at the top")
    questionnaire, own_texts = parse_questionnaire(data, str(path))
    review = str(data.get("welsh_reviewed_by") or data.get("welsh_review") or "")
    if not review:
        raise QuestionnaireError(f"{path}: Welsh needs welsh_review (needs-review: ...) or welsh_reviewed_by")
    about = {
        "welsh": review if data.get("welsh_review") else f"reviewed-by: {data['welsh_reviewed_by']}",
        "source": str(data["source"]), "licence": str(data["licence"]),
        "attribution": str(data["attribution"]), "file": path.name,
    }
    return questionnaire, _catalog_texts(own_texts, questionnaire), about
