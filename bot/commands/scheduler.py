"""`cyswllt scheduler run|once`: run the scheduler on its own, or the due work once (e.g. from cron)."""
from __future__ import annotations

import asyncio
import logging
import signal

from bot.bootstrap import build_app
from bot.commands.config import refuse_or_warn
from bot.commands.options import add_db_option
from bot.logging_setup import configure_logging
from bot.scheduler import Scheduler
from bot.settings import load_settings

log = logging.getLogger("cyswllt.scheduler")


def register(subparsers) -> None:
    parser = subparsers.add_parser("scheduler", help="scheduled check-ins, reminders and nudges")
    commands = parser.add_subparsers(dest="scheduler_command", required=True)
    run = commands.add_parser("run", help="run the scheduler until stopped (waits if another one runs)")
    run.add_argument("--metrics-port", type=int,
                     help="serve this process's Prometheus metrics (scheduler lag) on 127.0.0.1:PORT")
    run.set_defaults(func=run_scheduler)
    once = commands.add_parser("once", help="run the work that is due now, once, and exit")
    once.set_defaults(func=run_once)
    add_db_option(parser, run, once)


def _settings(args):
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    return settings


def _app(args):
    return build_app(_settings(args))


def run_once(args) -> int:
    app = _app(args)
    try:
        app.run_due_work()
    finally:
        app.close()
    return 0


def run_scheduler(args) -> int:
    settings = _settings(args)
    configure_logging(settings.logging.level, settings.logging.format)
    if not refuse_or_warn(settings, log, role="scheduler"):
        return 2
    if args.metrics_port:
        from prometheus_client import start_http_server

        from bot.metrics import REGISTRY

        start_http_server(args.metrics_port, addr="127.0.0.1", registry=REGISTRY)
    app = build_app(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        scheduler = Scheduler(app)
        await scheduler.start()
        await stop.wait()
        await scheduler.shutdown()

    try:
        asyncio.run(main())
    finally:
        app.close()
    return 0
