"""`cyswllt safeguarding evaluate FILE...`: score the safeguarding screen on labelled messages."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from bot.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("safeguarding", help="the safeguarding screen")
    sub = parser.add_subparsers(dest="safeguarding_command", required=True)
    p = sub.add_parser("evaluate", help="recall, false alarms and gentle checks on labelled messages, "
                                        "per language, category and tier")
    p.add_argument("file", type=Path, nargs="+", help="labelled YAML files (tests/safeguarding/labelled/)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-nlu", action="store_true",
                   help="screen without the NLU model's risk intent")
    p.add_argument("--no-model", action="store_true",
                   help="screen without the learned second reader (bot/risk_model.py); with --no-nlu, "
                        "the phrase screen alone")
    p.add_argument("--quiet", action="store_true", help="plain text: figures only, no list of slips")
    p.set_defaults(func=cmd_evaluate)


def build_screen(settings, use_nlu: bool = True, use_model: bool = True):
    """The screen as the dispatcher runs it: (text, language) -> (tier or None, category or None)."""
    from bot.dispatcher import NO_TEXT
    from bot.messages import clean_text
    from bot.risk_phrases import RiskPhrases
    from bot.safeguarding import detect_risk, load_risk_model, screened_text

    model = load_risk_model(settings) if use_model else None
    phrases = RiskPhrases.load(settings.safeguarding.phrases_file)
    nlu = None
    if use_nlu:
        from bot.nlu_backends import build_nlu

        nlu = build_nlu(settings, "embedded")

    def screen(text: str, language: str):
        read = clean_text(text)
        parse = nlu.parse(read, language) if nlu is not None and read else NO_TEXT
        detection = detect_risk(phrases, screened_text(text), parse, settings.safeguarding.nlu_threshold,
                                model)
        return (detection.tier, detection.category) if detection else (None, None)

    return screen


def cmd_evaluate(args) -> int:
    from bot.screen_evaluation import LabelledFileError, evaluate, load_labelled, report_json, report_text

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings(args.settings)
    try:
        messages = [m for file in args.file for m in load_labelled(file)]
    except LabelledFileError as exc:
        print(f"cyswllt: {exc}", file=sys.stderr)
        return 2
    groups = evaluate(messages, build_screen(settings, use_nlu=not args.no_nlu, use_model=not args.no_model))
    if args.json:
        print(json.dumps(report_json(groups), ensure_ascii=False))
    else:
        print(report_text(groups, show_slips=not args.quiet))
    return 0
