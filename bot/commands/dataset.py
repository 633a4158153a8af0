"""`cyswllt dataset coverage|export`: the Core Data Set catalogue and pseudonymised exports."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from bot.extras import require_extra
from bot.commands.options import add_db_option
from bot.settings import load_settings
from storage.dataset.catalogue import CatalogueError, load_catalogue
from storage.dataset.coverage import observed, render
from storage.dataset.export import FORMATS, export_events
from storage.dataset.period import Period
from storage.dataset.pseudonym import Pseudonymiser, PseudonymKeyError
from storage.db import make_engine


def register(subparsers) -> None:
    parser = subparsers.add_parser("dataset", help="the Core Data Set: coverage and export")
    commands = parser.add_subparsers(dest="dataset_command", required=True)
    coverage = commands.add_parser("coverage", help="which Appendix Five statements are collected, and how")
    coverage.set_defaults(func=run_coverage)
    export = commands.add_parser("export", help="one row per event, pseudonymised, with a data dictionary")
    export.add_argument("--from", dest="first", type=date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="last", type=date.fromisoformat, required=True, help="last day (included)")
    export.add_argument("--out", type=Path, required=True, help="file to write (e.g. events.csv)")
    export.add_argument("--format", choices=FORMATS, help="csv or parquet (default: from --out's suffix)")
    export.set_defaults(func=run_export)
    add_db_option(parser, export)
    # Given to coverage, --db also counts the stored events; a bare --db means the settings' URL.
    coverage.add_argument("--db", nargs="?", const="", default=argparse.SUPPRESS,
                          help="also count the events stored (default URL: the settings' database.url)")


def run_coverage(args) -> int:
    catalogue = load_catalogue()
    seen = None
    if args.db is not None:
        settings = load_settings(args.settings)
        engine = make_engine(args.db or settings.database.url)
        with Session(engine) as session:
            seen = observed(session)
        engine.dispose()
    print(render(catalogue, seen))
    return 0


def run_export(args) -> int:
    settings = load_settings(args.settings)
    fmt = args.format or ("parquet" if args.out.suffix == ".parquet" else "csv")
    if fmt == "parquet":
        require_extra("pyarrow", "report", "cyswllt dataset export --format parquet")
    try:
        pseudonymise = Pseudonymiser(settings.dataset.pseudonym_key.get_secret_value())
        period = Period.of_days(args.first, args.last, settings.service.timezone)
        catalogue = load_catalogue()
    except (PseudonymKeyError, ValueError, CatalogueError) as exc:
        print(f"cyswllt dataset export: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(args.db or settings.database.url)
    try:
        result = export_events(engine, period, args.out, fmt, pseudonymise, catalogue)
    finally:
        engine.dispose()
    print(f"wrote {result.rows} events to {result.path} and the data dictionary to {result.dictionary}")
    return 0
