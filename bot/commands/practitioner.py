"""`cyswllt practitioner add|code|list|remove`: practitioners and the one-time codes that link their chat."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.catalog import Catalog
from bot.commands.options import add_db_option
from bot.practitioner_removal import remove_practitioner
from bot.practitioners import add_practitioner, issue_link_code, reads_welsh
from bot.referrals import Referrals
from bot.safeguarding import Safeguarding
from flows.registry import FLOWS
from bot.settings import load_settings
from storage.db import make_engine, upgrade
from storage.models import Practitioner


def register(subparsers) -> None:
    parser = subparsers.add_parser("practitioner", help="practitioners and their link codes")
    commands = parser.add_subparsers(dest="practitioner_command", required=True)

    add = commands.add_parser("add", help="add a practitioner and print a one-time link code")
    add.add_argument("name")
    add.add_argument("--team", required=True, help="team name (created if new)")
    add.add_argument("--areas", help="postcode areas or districts the team covers, e.g. CF,NP20")
    add.add_argument("--safeguarding-lead", action="store_true")
    add.add_argument("--rank", type=int, default=100, help="place in the team's escalation list (low first)")
    add.add_argument("--language", choices=("cy", "en"), default="en", help="the language of their own messages")
    add.add_argument("--speaks", help="languages they can work in, e.g. cy,en (default: --language); a person "
                                      "who chose Welsh is routed to a Welsh speaker in the team when there is one")
    add.add_argument("--hours", type=float, default=72, help="how long the code stays valid")
    add.set_defaults(func=run_add)

    code = commands.add_parser("code", help="issue a new link code for a practitioner")
    code.add_argument("practitioner_id", type=int)
    code.add_argument("--hours", type=float, default=72)
    code.set_defaults(func=run_code)

    listing = commands.add_parser("list", help="list practitioners: active or removed, team, languages")
    listing.set_defaults(func=run_list)

    remove = commands.add_parser("remove", help="take a practitioner off: unlinked, nothing more sent to them, "
                                                "their referrals back to the team, their alerts escalated now")
    remove.add_argument("who", help="the practitioner's id or name")
    remove.set_defaults(func=run_remove)
    add_db_option(parser, add, code, listing, remove)


def _sessions(args) -> sessionmaker:
    settings = load_settings(args.settings)
    engine = make_engine(args.db or settings.database.url)
    if settings.database.auto_migrate:
        upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


def _print_code(practitioner: Practitioner, code: str, hours: float) -> None:
    print(f"practitioner {practitioner.id} ({practitioner.name}, team {practitioner.team.name})")
    print(f"link code {code}, valid for {hours:g} hours")
    print(f"  Telegram: /link {code}    SMS: LINK {code}")


def run_add(args) -> int:
    now = datetime.now(timezone.utc)
    with _sessions(args).begin() as session:
        areas = args.areas.split(",") if args.areas else None
        practitioner, code = add_practitioner(
            session, args.name, args.team, now, areas=areas, safeguarding_lead=args.safeguarding_lead,
            escalation_rank=args.rank, language=args.language, code_ttl=timedelta(hours=args.hours),
            speaks=_languages(args.speaks) if args.speaks else None,
        )
        _print_code(practitioner, code, args.hours)
    return 0


def run_code(args) -> int:
    now = datetime.now(timezone.utc)
    with _sessions(args).begin() as session:
        practitioner = session.get(Practitioner, args.practitioner_id)
        if practitioner is None:
            print(f"no practitioner with id {args.practitioner_id}")
            return 1
        code = issue_link_code(practitioner, now, timedelta(hours=args.hours))
        _print_code(practitioner, code, args.hours)
    return 0


def _languages(text: str) -> list[str]:
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [lang for lang in wanted if lang not in ("cy", "en")]
    if unknown or not wanted:
        raise SystemExit(f"--speaks takes cy and/or en, e.g. --speaks cy,en (not {text!r})")
    return wanted


def run_list(args) -> int:
    with _sessions(args)() as session:
        for p in session.scalars(select(Practitioner).order_by(Practitioner.team_id, Practitioner.escalation_rank,
                                                               Practitioner.id)):
            state = "active" if p.active else "removed"
            linked = "linked" if p.person_id else "not linked"
            lead = ", safeguarding lead" if p.safeguarding_lead else ""
            speaks = ",".join(p.speaks or [p.language])
            print(f"{p.id}\t{p.name}\t{state}\tteam {p.team.name}\tspeaks {speaks}{' (Welsh)' if reads_welsh(p) else ''}"
                  f"\trank {p.escalation_rank}{lead}\t{linked}")
    return 0


def run_remove(args) -> int:
    settings = load_settings(args.settings)
    if args.db:
        settings.database.url = args.db
    catalog = Catalog.load()
    referrals = Referrals(settings, catalog)
    safeguarding = Safeguarding(settings, catalog, FLOWS)
    now = datetime.now(timezone.utc)
    with _sessions(args).begin() as session:
        query = select(Practitioner).where(Practitioner.active.is_(True))
        found = session.scalars(query.where(Practitioner.id == int(args.who)) if args.who.isdigit()
                                else query.where(Practitioner.name == args.who)).all()
        if len(found) != 1:
            print(f"no active practitioner {args.who!r}" if not found else
                  f"{len(found)} active practitioners are called {args.who!r}: give the id (cyswllt practitioner list)")
            return 1
        practitioner = found[0]
        moved = remove_practitioner(session, practitioner, now, referrals=referrals, safeguarding=safeguarding)
        print(f"practitioner {practitioner.id} ({practitioner.name}, team {practitioner.team.name}) removed: unlinked; "
              f"{moved['referrals']} open referral(s) back to the team, {moved['alerts']} alert(s) escalated, "
              f"{moved['nudges']} attendance question(s) moved")
    return 0
