"""`cyswllt scheduler run|once`: run the scheduler on its own, or the due work once (e.g. from cron)."""
from __future__ import annotations

import asyncio
import logging
import signal

from bot.bootstrap import build_app
from bot.scheduler import Scheduler
from bot.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("scheduler", help="scheduled check-ins, reminders and nudges")
    commands = parser.add_subparsers(dest="scheduler_command", required=True)
    run = commands.add_parser("run", help="run the scheduler until stopped (waits if another one runs)")
    run.add_argument("--db", help="database URL (default: the settings' database.url)")
    run.set_defaults(func=run_scheduler)
    once = commands.add_parser("once", help="run the work that is due now, once, and exit")
    once.add_argument("--db")
    once.set_defaults(func=run_once)


def _app(args):
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    return build_app(settings)


def run_once(args) -> int:
    app = _app(args)
    try:
        app.run_due_work()
    finally:
        app.close()
    return 0


def run_scheduler(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = _app(args)

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
