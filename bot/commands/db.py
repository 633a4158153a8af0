"""`cyswllt db upgrade`: apply the schema migrations."""
from __future__ import annotations

from bot.commands.options import add_db_option
from bot.settings import load_settings
from storage.db import make_engine, upgrade


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="database schema")
    commands = parser.add_subparsers(dest="db_command", required=True)
    up = commands.add_parser("upgrade", help="apply every migration not yet applied")
    up.set_defaults(func=run_upgrade)
    add_db_option(parser, up)


def run_upgrade(args) -> int:
    settings = load_settings(args.settings)
    engine = make_engine(args.db or settings.database.url)
    upgrade(engine)
    engine.dispose()
    print("database is up to date")
    return 0
