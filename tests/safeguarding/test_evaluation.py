"""The screen measured on the labelled sets (tests/safeguarding/labelled/), dev and held-out parts.

Targets (issue 14): every disclosure gets tier clear (recall 1.0); at most 4% of non-risk
messages get the crisis reply; at most 10% get the gentle check; Welsh within 0.02 of English.
The NLU model and the learned second reader are left out here (their own tests cover them); the
lexicon alone must meet the targets, so a clear phrase never depends on a model.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.commands.safeguarding import build_screen
from bot.screen_evaluation import evaluate, load_labelled, report_json, report_text
from bot.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]

ALL_LABELLED = sorted((PROJECT_ROOT / "tests/safeguarding/labelled").glob("*.yml"))


def _measured_only(path: Path) -> bool:
    # A blind part (`blind: true`) is the honest estimate on phrasings written after the last
    # change and never tuned on: it is measured (`cyswllt safeguarding evaluate`), not a target.
    # A part with `required: false` (the sixth) is trained on by the learned readers but the phrase
    # list was not rewritten to fit it: measured, not a target either.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return bool(data.get("blind")) or data.get("required") is False


LABELLED = [f for f in ALL_LABELLED if not _measured_only(f)]


@pytest.fixture(scope="module")
def report():
    screen = build_screen(load_settings(environ={}), use_nlu=False, use_model=False)
    groups = evaluate([m for f in LABELLED for m in load_labelled(f)], screen)
    return report_json(groups)


def test_the_labelled_sets_are_big_enough_in_both_languages():
    messages = [m for f in ALL_LABELLED for m in load_labelled(f)]
    for language in ("cy", "en"):
        mine = [m for m in messages if m.language == language]
        assert sum(m.label == "risk" for m in mine) >= 150
        assert sum(m.label == "none" for m in mine) >= 300
        assert {m.category for m in mine if m.label == "risk"} == {"suicide", "self_harm", "abuse", "immediate_danger"}
        assert {m.part for m in mine} >= {"dev", "heldout"}  # and any later author's part ("second")


def test_targets_are_met_in_each_language_and_part(report):
    for part in report["parts"]:
        name = f"{part['language']} {part['part']}"
        assert part["disclosures"]["recall"] == 1.0, (name, part["missed"])
        for category, figures in part["disclosures"]["by_category"].items():
            assert figures["recall"] == 1.0, (name, category)
        if part["ambiguous"]["n"]:  # a later author's part may have none
            assert part["ambiguous"]["caught"] == 1.0, (name, part["missed"])
        assert part["non_risk"]["false_alarm_rate"] <= 0.04, (name, part["false_alarms"])
        assert part["non_risk"]["gentle_check_rate"] <= 0.10, (name, part["gentle_checks"])


def test_welsh_is_within_two_points_of_english(report):
    by = {entry["language"]: entry for entry in report["languages"]}
    for figure in (("disclosures", "recall"), ("non_risk", "false_alarm_rate"), ("non_risk", "gentle_check_rate")):
        cy, en = by["cy"][figure[0]][figure[1]], by["en"][figure[0]][figure[1]]
        assert abs(cy - en) <= 0.02, (figure, cy, en)


def test_the_report_reads_as_text_too(report):
    screen = build_screen(load_settings(environ={}), use_nlu=False, use_model=False)
    text = report_text(evaluate(load_labelled(LABELLED[0]), screen))
    assert "recall (clear)" in text and "false alarms" in text and "gentle check" in text


def test_the_evaluate_command_prints_json_per_language_category_and_tier(tmp_path):
    small = tmp_path / "small.yml"
    small.write_text(
        "language: en\npart: dev\nmessages:\n"
        "- {text: I want to die, label: risk, category: suicide, tier: clear}\n"
        "- {text: 'what''s the point', label: ambiguous, category: suicide, tier: possible}\n"
        "- {text: my husband died, label: none, theme: bereavement, tier: none}\n"
        "- {text: my feet are killing me, label: none, theme: idioms, tier: none}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bot.cli", "safeguarding", "evaluate", str(small), "--json",
                          "--no-nlu", "--no-model"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    [part] = json.loads(run.stdout)["parts"]
    assert part["disclosures"]["by_category"]["suicide"]["recall"] == 1.0
    assert part["ambiguous"]["caught"] == 1.0
    assert part["non_risk"]["false_alarm_rate"] == 0.0 and part["non_risk"]["gentle_check_rate"] == 0.0


def test_a_missing_or_malformed_labelled_file_is_named(tmp_path):
    run = subprocess.run([sys.executable, "-m", "bot.cli", "safeguarding", "evaluate",
                          str(tmp_path / "nope.yml"), "--no-nlu"], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, timeout=120)
    assert run.returncode == 2 and "nope.yml" in run.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("language: en\nmessages:\n- {text: yes, label: none}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bot.cli", "safeguarding", "evaluate", str(bad), "--no-nlu"],
                         capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert run.returncode == 2 and "quote it" in run.stderr
