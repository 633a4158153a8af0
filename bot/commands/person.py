"""`cyswllt person export|erase|requests|retention`: people's data rights, for practitioners and operators."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.clock import SystemClock
from bot.commands.options import add_db_option
from bot.logging_setup import mask_address
from bot.settings import load_settings
from storage.db import make_engine
from storage.models import ErasureRequest, Person, PersonAddress, Practitioner
from storage.rights import blank_old_content, cancel_request, erase, find_people, subject_access


def register(subparsers) -> None:
    parser = subparsers.add_parser("person", help="people's data rights: subject access, erasure, retention")
    commands = parser.add_subparsers(dest="person_command", required=True)
    export = commands.add_parser("export", help="everything held about someone, as JSON (subject access)")
    export.add_argument("address", help="phone number or Telegram chat id")
    export.add_argument("--channel", help="sms, telegram or console (if the address is on more than one)")
    export.add_argument("--out", type=Path, help="file to write (default: print)")
    export.set_defaults(func=run_export)
    erase_cmd = commands.add_parser("erase", help="delete someone's personal data and messages")
    erase_cmd.add_argument("address", nargs="?", help="phone number or Telegram chat id")
    erase_cmd.add_argument("--request", type=int, metavar="NUMBER",
                           help="the request number `person requests` shows, instead of an address")
    erase_cmd.add_argument("--channel", help="sms, telegram or console (if the address is on more than one)")
    erase_cmd.add_argument("--yes", action="store_true", help="really erase (without it, only says what would go)")
    erase_cmd.set_defaults(func=run_erase)
    requests = commands.add_parser("requests", help="erasure requests waiting for a practitioner")
    requests.add_argument("--cancel", type=int, metavar="ID", help="cancel a request (the person changed their mind)")
    requests.set_defaults(func=run_requests)
    retention = commands.add_parser("retention", help="blank message text older than the retention period now")
    retention.set_defaults(func=run_retention)
    add_db_option(parser, export, erase_cmd, requests, retention)


def _sessions(args):
    settings = load_settings(args.settings)
    engine = make_engine(args.db or settings.database.url)
    return settings, engine, sessionmaker(engine, expire_on_commit=False)


def _one_person(session, args):
    people = find_people(session, args.address, args.channel)
    if not people:
        print(f"cyswllt person: no one is known at {mask_address(args.address)}", file=sys.stderr)
        return None
    if len(people) > 1:
        print(f"cyswllt person: {len(people)} people use {mask_address(args.address)} on different channels; "
              "add --channel", file=sys.stderr)
        return None
    return people[0]


def run_export(args) -> int:
    _, engine, sessions = _sessions(args)
    try:
        with sessions() as session:
            person = _one_person(session, args)
            if person is None:
                return 1
            text = json.dumps(subject_access(session, person), ensure_ascii=False, indent=2)
    finally:
        engine.dispose()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


def _requested_person(session, number: int):
    request = session.get(ErasureRequest, number)
    if request is None or request.status != "pending" or request.person_id is None:
        print(f"cyswllt person erase: no pending request {number} (see `cyswllt person requests`)", file=sys.stderr)
        return None
    return session.get(Person, request.person_id)


def _is_practitioner(session, person) -> bool:
    return session.scalar(select(Practitioner.id).where(Practitioner.person_id == person.id)) is not None


def run_erase(args) -> int:
    if (args.address is None) == (args.request is None):
        print("cyswllt person erase: give an address or --request NUMBER (one of them)", file=sys.stderr)
        return 2
    _, engine, sessions = _sessions(args)
    try:
        with sessions.begin() as session:
            person = _one_person(session, args) if args.request is None else _requested_person(session, args.request)
            if person is None:
                return 1
            if _is_practitioner(session, person):
                # Erasing would take a practitioner's own link, alerts and referrals with it:
                # practitioners leave by `cyswllt practitioner remove`, which hands their work on.
                print("cyswllt person erase: that address belongs to a practitioner; nothing erased. "
                      "Use `cyswllt practitioner remove` to take a practitioner off.", file=sys.stderr)
                return 1
            where = ", ".join(mask_address(a.address) for a in person.addresses)
            held = subject_access(session, person)["tables"]
            summary = ", ".join(f"{name}: {len(rows)}" for name, rows in held.items() if rows)
            if not args.yes:
                print(f"would erase the person at {where} ({summary}); "
                      "data set events are kept under their pseudonym. Add --yes to erase.")
                session.rollback()
                return 0
            result = erase(session, person, SystemClock().now())
        print(f"erased the person at {where}: deleted "
              + ", ".join(f"{k} {v}" for k, v in result.deleted.items() if v)
              + "; unlinked " + (", ".join(f"{k} {v}" for k, v in result.detached.items() if v) or "nothing")
              + "; redacted messages sent about them " + (", ".join(f"{k} {v}" for k, v in result.redacted.items() if v) or "none"))
    finally:
        engine.dispose()
    return 0


def run_requests(args) -> int:
    _, engine, sessions = _sessions(args)
    try:
        with sessions.begin() as session:
            if args.cancel is not None:
                if not cancel_request(session, args.cancel, SystemClock().now()):
                    print(f"cyswllt person requests: no pending request {args.cancel}", file=sys.stderr)
                    return 1
                print(f"request {args.cancel} cancelled")
                return 0
            pending = session.scalars(select(ErasureRequest).where(ErasureRequest.status == "pending")
                                      .order_by(ErasureRequest.requested_at)).all()
            if not pending:
                print("no erasure requests waiting")
            for request in pending:
                address = session.scalar(select(PersonAddress.address).where(
                    PersonAddress.person_id == request.person_id, PersonAddress.channel == request.channel))
                print(f"request {request.id:<4}  {request.requested_at:%Y-%m-%d %H:%M}  {request.channel:<9} "
                      f"{mask_address(address or '?')}   confirm: cyswllt person erase --request {request.id} --yes")
    finally:
        engine.dispose()
    return 0


def run_retention(args) -> int:
    settings, engine, sessions = _sessions(args)
    try:
        with sessions.begin() as session:
            blanked = blank_old_content(session, SystemClock().now(), settings.privacy.message_retention_days)
    finally:
        engine.dispose()
    print(f"blanked message text older than {settings.privacy.message_retention_days} days: "
          + ", ".join(f"{k} {v}" for k, v in blanked.items()))
    return 0
