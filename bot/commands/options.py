"""Options shared by the subcommands, so an operator can put them where they like."""
from __future__ import annotations

import argparse

DB_HELP = "database URL (default: the settings' database.url)"


def add_db_option(command: argparse.ArgumentParser, *subcommands: argparse.ArgumentParser,
                  help: str = DB_HELP, **sub_kwargs) -> None:
    """`--db` before the subcommand (`person --db X erase`) or after it (`person erase --db X`).

    The subcommands' option defaults to SUPPRESS: argparse copies a subparser's defaults over
    the parent's values, so a default there would wipe a `--db` given before the subcommand.
    """
    command.add_argument("--db", help=DB_HELP)
    for sub in subcommands:
        sub.add_argument("--db", default=argparse.SUPPRESS, help=help, **sub_kwargs)
