"""`cyswllt whatsapp templates`: the WhatsApp templates to register with Twilio, from the catalogs."""
from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("whatsapp", help="WhatsApp: the templates to register with Twilio")
    actions = parser.add_subparsers(dest="action", required=True)
    templates = actions.add_parser("templates", help="each unprompted message's Welsh and English template text")
    templates.add_argument("--toml", action="store_true", help="print the settings to fill in with Content SIDs")
    templates.set_defaults(func=run)


def run(args) -> int:
    from bot.catalog import Catalog
    from bot.channels.whatsapp.templates import markdown, settings_toml

    catalog = Catalog.load()
    print(settings_toml(catalog) if args.toml else markdown(catalog), end="")
    return 0
