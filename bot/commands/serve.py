"""`cyswllt serve`: the web app (Telegram and Twilio webhooks, /healthz) and the outbox sender.

With `--workers N` (PostgreSQL only) uvicorn runs N worker processes behind one port. Each
builds its own app from the same options (`worker_app`, an import-string factory, because a
worker process cannot be handed objects) and runs its own outbox sender; the senders share the
outbox safely (bot/sender.py). Every worker's scheduler waits for the single-scheduler lock, so
exactly one runs scheduled work and another takes over if its worker dies.
"""
from __future__ import annotations

import json
import logging
import os

import uvicorn

from bot.bootstrap import build_app
from bot.commands.config import refuse_or_warn
from bot.logging_setup import configure_logging
from bot.metrics import prepare_multiprocess
from bot.settings import load_settings
from bot.web import create_web_app
from storage.db import make_engine, upgrade

log = logging.getLogger("cyswllt.serve")

# The options a worker process builds its app from (set by `serve`, read by `worker_app`).
WORKER_OPTIONS_ENV = "CYSWLLT_SERVE_WORKER_OPTIONS"


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="serve the Telegram and Twilio webhooks and send the outbox")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=1,
                        help="web worker processes behind the one port, each with its own outbox sender "
                             "(PostgreSQL only; default 1)")
    parser.add_argument("--telegram-polling", action="store_true",
                        help="fetch Telegram updates with getUpdates instead of a webhook (no public URL needed)")
    parser.add_argument("--no-sender", action="store_true",
                        help="do not send the outbox from this process (another process does)")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not run scheduled work here (one scheduler runs at a time anyway: the others wait)")
    parser.add_argument("--db", help="database URL (default: the settings' database.url)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (default: the logging.level setting)")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    level = (args.log_level or settings.logging.level).upper()
    configure_logging(level, settings.logging.format)
    if args.workers < 1:
        print("cyswllt serve: --workers must be at least 1")
        return 2
    if not refuse_or_warn(settings, log, role="web", workers=args.workers, telegram_polling=args.telegram_polling):
        return 2
    prepare_multiprocess(args.workers)
    if args.workers > 1:
        return _run_workers(args, settings, level)
    app = build_app(settings)
    try:
        web = create_web_app(app, run_sender=not args.no_sender, telegram_polling=args.telegram_polling,
                             run_scheduler=not args.no_scheduler)
    except ValueError as exc:
        print(f"cyswllt serve: {exc}")
        return 2
    try:
        # log_config=None: uvicorn's own records go through the redacting (JSON) handler too.
        uvicorn.run(web.starlette, host=args.host, port=args.port, log_level=level.lower(),
                    access_log=False, lifespan="on", log_config=None)
    finally:
        app.close()
    return 0


def _run_workers(args, settings, level: str) -> int:
    # SQLite with several workers is refused by the configuration check before this.
    if args.telegram_polling:
        print("cyswllt serve: --telegram-polling reads updates in one process; use it with one worker")
        return 2
    if settings.database.auto_migrate:
        engine = make_engine(settings.database.url)
        upgrade(engine)   # once, here, rather than N workers racing to
        engine.dispose()
    os.environ[WORKER_OPTIONS_ENV] = json.dumps({
        "settings": args.settings, "db": settings.database.url, "workers": args.workers,
        "sender": not args.no_sender, "scheduler": not args.no_scheduler, "log_level": level,
    })
    uvicorn.run("bot.commands.serve:worker_app", factory=True, workers=args.workers, host=args.host,
                port=args.port, log_level=level.lower(), access_log=False, lifespan="on", log_config=None)
    return 0


def worker_app():
    """One worker's ASGI app, built from the options `serve --workers` left in the environment."""
    options = json.loads(os.environ[WORKER_OPTIONS_ENV])
    settings = load_settings(options["settings"])
    # A worker is a fresh process: it logs as the settings say (JSON in production), like `serve`.
    configure_logging(options["log_level"], settings.logging.format)
    settings.database.url = options["db"]
    settings.database.auto_migrate = False
    settings.sender.instances = options["workers"]
    app = build_app(settings)
    web = create_web_app(app, run_sender=options["sender"], run_scheduler=options["scheduler"])
    return web.starlette
