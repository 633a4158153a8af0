"""The `cyswllt` command: each subcommand lives in its own module under bot/commands/."""
from __future__ import annotations

import argparse
import logging
import importlib
import sys

from bot.extras import MissingExtra
from bot.logging_setup import configure_logging
from bot.settings import SettingsError
from storage.db import missing_schema

# Each module exposes register(subparsers), adding a parser whose `func(args) -> int` runs it.
COMMAND_MODULES = (
    "bot.commands.chat",
    "bot.commands.db",
    "bot.commands.practitioner",
    "bot.commands.nlu",
    "bot.commands.serve",
    "bot.commands.telegram",
    "bot.commands.whatsapp",
    "bot.commands.dataset",
    "bot.commands.report",
    "bot.commands.person",
    "bot.commands.assets",
    "bot.commands.scheduler",
    "bot.commands.config",
    "bot.commands.status",
    "bot.commands.safeguarding",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cyswllt", description="Cyswllt social prescribing bot")
    parser.add_argument("--settings", help="path to a settings TOML file (or set CYSWLLT_SETTINGS)")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not logging.getLogger().handlers:
        configure_logging("WARNING")  # masked numbers, no message text, whatever the command
    try:
        try:
            return int(args.func(args) or 0)
        except Exception as error:
            if not missing_schema(error):
                raise
            # A fresh (or older) database: migrate if the settings allow it and run the command
            # again (it failed before it could change anything); otherwise say what to do.
            if not _migrated(args):
                print("cyswllt: the database has no schema yet, or an older one: run `cyswllt db upgrade` "
                      "(or set database.auto_migrate)", file=sys.stderr)
                return 2
            return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"cyswllt: configuration error: {exc}", file=sys.stderr)
        return 2
    except MissingExtra as exc:
        print(f"cyswllt: {exc}", file=sys.stderr)
        return 2


def _migrated(args) -> bool:
    """Apply the migrations when database.auto_migrate is on; whether it did."""
    from bot.settings import load_settings
    from storage.db import make_engine, upgrade

    settings = load_settings(args.settings)
    if not settings.database.auto_migrate:
        return False
    engine = make_engine(getattr(args, "db", None) or settings.database.url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return True


if __name__ == "__main__":
    sys.exit(main())
