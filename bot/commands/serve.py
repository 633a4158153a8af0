"""`cyswllt serve`: the web app (Telegram and Twilio webhooks, /healthz) and the outbox sender."""
from __future__ import annotations

import logging

import uvicorn

from bot.bootstrap import build_app
from bot.commands.config import refuse_or_warn
from bot.logging_setup import configure_logging
from bot.metrics import prepare_multiprocess
from bot.settings import load_settings
from bot.web import create_web_app

log = logging.getLogger("cyswllt.serve")


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="serve the Telegram and Twilio webhooks and send the outbox")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
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
    workers = getattr(args, "workers", 1)
    if not refuse_or_warn(settings, log, role="web", workers=workers, telegram_polling=args.telegram_polling):
        return 2
    prepare_multiprocess(workers)
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
