"""The `cyswllt` command: each subcommand lives in its own module under bot/commands/."""
from __future__ import annotations

import argparse
import logging
import importlib
import sys

from bot.extras import MissingExtra
from bot.logging_setup import configure_logging
from bot.settings import SettingsError

# Each module exposes register(subparsers), adding a parser whose `func(args) -> int` runs it.
COMMAND_MODULES = (
    "bot.commands.chat",
    "bot.commands.db",
    "bot.commands.practitioner",
    "bot.commands.nlu",
    "bot.commands.serve",
    "bot.commands.telegram",
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
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"cyswllt: configuration error: {exc}", file=sys.stderr)
        return 2
    except MissingExtra as exc:
        print(f"cyswllt: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
