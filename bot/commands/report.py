"""`cyswllt report`: the results-based accountability report as HTML (or its figures as JSON)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.extras import require_extra
from bot.report.builder import as_html, as_json, compute
from bot.settings import load_settings
from storage.dataset.catalogue import CatalogueError, load_catalogue
from storage.dataset.period import Period
from storage.db import make_engine

LANGUAGES = {"cy": ("cy",), "en": ("en",), "both": ("cy", "en")}


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="the results-based accountability report")
    parser.add_argument("--from", dest="first", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, required=True, help="last day (included)")
    parser.add_argument("--out", type=Path, help="file to write (default: print to the terminal)")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default="both",
                        help="cy, en, or both in one page, Welsh first (default)")
    parser.add_argument("--json", action="store_true", help="the figures as JSON instead of HTML")
    parser.add_argument("--db", help="database URL (default: the settings' database.url)")
    parser.set_defaults(func=run)


def run(args) -> int:
    if not args.json:
        require_extra("matplotlib", "report", "cyswllt report (its charts)")
    settings = load_settings(args.settings)
    try:
        period = Period.of_days(args.first, args.last, settings.service.timezone)
        catalogue = load_catalogue()
    except (ValueError, CatalogueError) as exc:
        print(f"cyswllt report: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(args.db or settings.database.url)
    try:
        figures = compute(engine, period, catalogue, settings.service.timezone)
    finally:
        engine.dispose()
    generated = SystemClock().now()
    if args.json:
        text = as_json(figures, generated)
    else:
        text = as_html(figures, Catalog.load(), catalogue, LANGUAGES[args.lang], settings.service.name, generated)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0
