"""`cyswllt assets import|export|search`: the community asset directory from the command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.catalog import Catalog
from bot.commands.options import add_db_option
from bot.settings import load_settings
from flows.asset_query import parse_query
from storage.assets.export import export_document
from storage.assets.repository import ensure_sample_directory, import_file
from storage.assets.search import search_text
from storage.db import make_engine, upgrade
from storage.places import default_gazetteer


def register(subparsers) -> None:
    parser = subparsers.add_parser("assets", help="the community asset directory (Open Referral UK)")
    commands = parser.add_subparsers(dest="assets_command", required=True)

    load = commands.add_parser("import", help="import Open Referral UK 3.0 JSON (file or API dump folder) "
                                              "or the CSV template")
    load.add_argument("path", type=Path)
    load.add_argument("--source", help="a name for where these records came from (default: the file name)")
    load.set_defaults(func=run_import)

    out = commands.add_parser("export", help="write the directory as Open Referral UK 3.0 JSON")
    out.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    out.set_defaults(func=run_export)

    find = commands.add_parser("search", help="search as a person would text it")
    find.add_argument("query")
    find.add_argument("--lang", choices=("cy", "en"), default="en")
    find.add_argument("--json", action="store_true", help="print the results as JSON")
    find.add_argument("--limit", type=int, default=10)
    find.set_defaults(func=run_search)
    add_db_option(parser, load, out, find)


def _sessions(args):
    settings = load_settings(args.settings)
    engine = make_engine(args.db or settings.database.url)
    if settings.database.auto_migrate or args.db:
        upgrade(engine)
    return settings, engine, sessionmaker(engine, expire_on_commit=False)


def run_import(args) -> int:
    if not args.path.exists():
        print(f"cyswllt assets import: {args.path} does not exist", file=sys.stderr)
        return 2
    _, engine, sessions = _sessions(args)
    try:
        with sessions.begin() as session:
            report = import_file(session, args.path, default_gazetteer(), args.source)
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"cyswllt assets import: {args.path} could not be read: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for record_id, reason in report.rejected:
        print(f"rejected {record_id}: {reason}")
    print(report.summary())
    # Non-zero when anything was rejected, so a scheduled import can alert someone.
    return 1 if report.rejected else 0


def run_export(args) -> int:
    _, engine, sessions = _sessions(args)
    try:
        with sessions() as session:
            document = export_document(session)
    finally:
        engine.dispose()
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {document['total_items']} services to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def run_search(args) -> int:
    settings, engine, sessions = _sessions(args)
    gazetteer = default_gazetteer()
    try:
        with sessions.begin() as session:
            if settings.assets.sample_when_empty:
                ensure_sample_directory(session)
            outcome = search_text(session, gazetteer, parse_query(args.query), limit=args.limit)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps([hit.to_json() for hit in outcome.hits], ensure_ascii=False, indent=1))
        return 0
    catalog = Catalog.load()
    resolution = outcome.resolution
    if resolution.unknown_place:
        names = ", ".join(p.name(args.lang) for p in resolution.suggestions)
        print(catalog.text("assets.unknown_place_suggest" if names else "assets.unknown_place", args.lang,
                           place=resolution.unknown_place) + (f" {names}" if names else ""))
        return 0
    for item in outcome.widened:
        kind, _, value = item.partition(":")
        key = {"radius": "assets.widened_radius", "anywhere": "assets.widened_anywhere",
               "category_only": "assets.widened_category", "no_filters": "assets.widened_filters",
               "nothing": "assets.no_results"}[kind]
        print(catalog.text(key, args.lang, **({"km": value} if value else {})))
    for number, hit in enumerate(outcome.hits, start=1):
        name = (hit.name_cy or hit.name) if args.lang == "cy" else hit.name
        town = (hit.town_cy or hit.town) if args.lang == "cy" else hit.town
        distance = f" ({hit.distance_km:g} km)" if hit.distance_km is not None else ""
        marks = " ".join(m for m, on in (("[cy]", hit.welsh_medium), ("[free]", hit.free),
                                         ("[wheelchair]", hit.wheelchair)) if on)
        print(f"{number:>2}. {name}, {town}{distance}  {' '.join(hit.categories)} {marks}".rstrip())
    return 0
