"""`cyswllt config check`: the settings, the database and the NLU servers, checked before a deploy."""
from __future__ import annotations

import sys

from bot.config_check import check_configuration, errors
from bot.commands.options import add_db_option
from bot.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("config", help="configuration")
    commands = parser.add_subparsers(dest="config_command", required=True)
    check = commands.add_parser("check", help="check the settings, the database and the Rasa servers")
    check.add_argument("--role", choices=("web", "scheduler"), default="web",
                       help="check for the web app (default) or for the scheduler process")
    check.add_argument("--workers", type=int, default=1, help="the number of web workers that will run")
    check.add_argument("--telegram-polling", action="store_true", help="check for polling instead of webhooks")
    check.add_argument("--no-connect", action="store_true",
                       help="only the settings: do not connect to the database or Rasa")
    check.set_defaults(func=run_check)
    add_db_option(parser, check)


def run_check(args) -> int:
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    findings = check_configuration(settings, role=args.role, workers=args.workers,
                                   telegram_polling=args.telegram_polling, connect=not args.no_connect)
    for finding in findings:
        print(finding, file=sys.stderr if finding.level == "error" else sys.stdout)
    problems = errors(findings)
    if problems:
        print(f"configuration has {len(problems)} error(s)", file=sys.stderr)
        return 2
    warnings = len(findings)
    print(f"configuration OK{f' ({warnings} warning(s))' if warnings else ''}")
    return 0


def refuse_or_warn(settings, log, **kwargs) -> bool:
    """At a command's start: log the warnings, print the errors; True if it may go on."""
    findings = check_configuration(settings, **kwargs)
    for finding in findings:
        if finding.level == "warning":
            log.warning("configuration: %s: %s", finding.setting, finding.message)
    problems = errors(findings)
    for finding in problems:
        print(f"cyswllt: configuration {finding}", file=sys.stderr)
    if problems:
        print("cyswllt: not starting; `cyswllt config check` lists every problem", file=sys.stderr)
    return not problems
