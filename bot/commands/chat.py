"""`cyswllt chat`: talk to the bot in the terminal, as over SMS or Telegram."""
from __future__ import annotations

import sys

from bot.bootstrap import build_app
from bot.clock import FakeClock
from bot.settings import load_settings
from bot.simulator import Simulator


def register(subparsers) -> None:
    parser = subparsers.add_parser("chat", help="chat with the bot in this terminal (the simulator)")
    from bot.channels.registry import CHANNELS

    parser.add_argument("--channel", choices=list(CHANNELS), default="sms")
    parser.add_argument("--from", dest="address", default="+447700900123",
                        help="the sender's address (a phone number, whatsapp:+44..., or a Telegram chat id)")
    parser.add_argument("--db", help="database URL (default: the settings' database.url)")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    app = build_app(settings, clock=FakeClock())
    interactive = sys.stdin.isatty()
    simulator = Simulator(app, args.channel, args.address, sys.stdout, echo=not interactive)
    if interactive:
        print(f"Cyswllt simulator ({args.channel}, from {args.address}). Type a message; "
              "::help for commands; Ctrl-D to leave.\n")
    try:
        for line in sys.stdin:
            simulator.line(line.rstrip("\n"))
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0
