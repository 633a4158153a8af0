"""What an SMS conversation costs: segments per flow, in Welsh and English.

    python bench/sms_cost.py [--show]

Drives each flow as a person on SMS would (first contact, a clean referral, a referral with two
edits, a check-in, an asset search and booking, the crisis reply, and the practitioner's referral
message) through the real dispatcher on a throwaway SQLite database, renders every outbound row
with the real SMS renderer (bot/rendering.py) and counts segments with bot/sms_segments.py.

The rows one turn writes to one number are joined into one SMS when that costs no more segments,
as the sender does. Welsh with â, ŵ, ŷ goes as UCS-2 (70 a segment): that is counted as it is.
Targets (issue 20): first contact <= 3, clean referral <= 25, crisis reply in Welsh <= 6, and
Welsh <= 1.25 x English for every flow. Nothing here is a test: it prints figures.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bootstrap import build_app  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from bot.channels.base import Outcome, Outgoing  # noqa: E402
from bot.practitioners import add_practitioner  # noqa: E402
from bot.rendering import render_sms  # noqa: E402
from bot.send_limits import unlimited_routes  # noqa: E402
from bot.sender import Sender  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.sms_segments import measure  # noqa: E402

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)   # a Monday morning
PERSON = "+447700900123"
PRACTITIONER = "+447700900901"
LEAD = "+447700900902"
TARGETS = {"first contact": 3, "clean referral": 25}
WELSH_RATIO = 1.25
CRISIS_WELSH = 6

# What the person says, step by step, in each language.
SAY = {
    "en": {
        "hello": "Hello", "choose": "2", "referral": "I'd like to refer myself", "consent": "yes",
        "what_matters": "I feel lonely since my wife died and I'd like to get out more",
        "themes": "1 9", "reasons": "3", "barriers": "1", "carer": "no", "has_carer": "no",
        "name": "Dafydd", "dob": "12/05/1956", "postcode": "LL57 1AA", "nhs": "skip", "contact_how": "3",
        "contact_when": "morning", "route": "1", "confirm": "yes", "change": "change",
        "search": "walking group in Wrexham", "pick": "1", "go": "I'd like to go", "when": "next Tuesday",
        "remind": "yes please", "crisis": "I want to kill myself", "checkin": "CHECKIN",
    },
    "cy": {
        "hello": "Shwmae", "choose": "1", "referral": "Hoffwn i gyfeirio fy hun", "consent": "ydw",
        "what_matters": "Dw i'n teimlo'n unig ers i fy ngwraig farw a hoffwn i fynd allan mwy",
        "themes": "1 9", "reasons": "3", "barriers": "1", "carer": "nac ydw", "has_carer": "nac oes",
        "name": "Dafydd", "dob": "12/05/1956", "postcode": "LL57 1AA", "nhs": "hepgor", "contact_how": "3",
        "contact_when": "bore", "route": "1", "confirm": "ydw", "change": "newid",
        "search": "grŵp cerdded yn Wrecsam", "pick": "1", "go": "Hoffwn i fynd", "when": "dydd Mawrth nesaf",
        "remind": "hoffwn", "crisis": "dw i isio marw", "checkin": "LLES",
    },
}


@dataclass
class Tally:
    """Segments and messages one flow cost the person (or the practitioner)."""

    segments: int = 0
    messages: int = 0
    texts: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.segments += max(1, measure(text).segments)
        self.messages += 1
        self.texts.append(text)


class Collecting:
    """A provider that keeps each SMS as the phone would show it: the real Sender sends to it, so
    a turn's rows arrive joined exactly as production joins them."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str]] = []

    async def send(self, message: Outgoing) -> Outcome:
        self.rows.append((message.address, render_sms(message.body or "", tuple(message.options or ()))))
        return Outcome.sent(f"bench-{message.id}")


class Person:
    """One person texting the bot; counts what every turn costs, per address."""

    def __init__(self, app, address: str = PERSON):
        self.app = app
        self.address = address
        self.transport = Collecting()
        self.sender = Sender(app.sessions, app.clock, app.settings, unlimited_routes({"sms": self.transport}))

    def send(self, text: str) -> dict[str, list[str]]:
        self.app.dispatcher.handle(InboundMessage("sms", self.address, text, uuid.uuid4().hex))
        return self.deliver()

    def deliver(self) -> dict[str, list[str]]:
        start = len(self.transport.rows)
        asyncio.run(self.sender.drain())
        by_address: dict[str, list[str]] = {}
        for address, text in self.transport.rows[start:]:
            by_address.setdefault(address, []).append(text)
        return by_address


def fresh_app(directory: Path, name: str):
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{directory / name}.sqlite3"
    settings.database.auto_migrate = True
    return build_app(settings, clock=FakeClock(START))


def link(app, person: Person, name: str, team: str, address: str, areas, language: str, lead: bool = False):
    with app.sessions.begin() as session:
        _, code = add_practitioner(session, name, team, app.clock.now(), areas=areas, safeguarding_lead=lead,
                                   escalation_rank=1 if lead else 100, language=language)
    Person(app, address).send(f"LINK {code}")


def current_step(app, address: str) -> tuple[str, str]:
    from sqlalchemy import select
    from storage.models import Conversation, PersonAddress
    with app.sessions() as session:
        person_id = session.scalar(select(PersonAddress.person_id).where(PersonAddress.address == address))
        conversation = session.scalar(select(Conversation).where(Conversation.person_id == person_id))
        return conversation.flow, (conversation.state or {}).get("step", "")


def run_flows(language: str, directory: Path) -> dict[str, Tally]:
    say = SAY[language]
    tallies: dict[str, Tally] = {}

    def count(name: str, replies: dict[str, list[str]], address: str = PERSON) -> None:
        for text in replies.get(address, ()):
            tallies.setdefault(name, Tally()).add(text)

    def first_contact(person: Person, counted: bool = False) -> None:
        name = "first contact" if counted else "(not counted)"
        count(name, person.send(say["hello"]))
        if current_step(person.app, PERSON)[0] == "language":
            count(name, person.send(say["choose"]))

    def referral(person: Person, name: str, edits: bool) -> None:
        count(name, person.send(say["referral"]))
        count(name, person.send(say["consent"]))
        for _ in range(30):
            flow, step = current_step(person.app, PERSON)
            if flow != "referral":
                return
            if step == "summary":
                if edits:
                    edits = False
                    for section, answer in (("themes", say["themes"]), ("postcode", "LL11 1AA")):
                        count(name, person.send(say["change"]))
                        count(name, person.send(str(1 + SECTION_ORDER.index(section))))
                        count(name, person.send(answer))
                        if current_step(person.app, PERSON)[1] != "summary":
                            count(name, person.send("done" if language == "en" else "dyna ni"))
                    continue
                replies = person.send(say["confirm"])
                count(name, replies)
                count("practitioner referral message", replies, PRACTITIONER)
                return
            count(name, person.send(say.get(step, "skip" if language == "en" else "hepgor")))
            if current_step(person.app, PERSON) == (flow, step):
                # A multi-choice list left open after one number: the person says they are done.
                count(name, person.send("done" if language == "en" else "dyna ni"))
        raise RuntimeError(f"the {language} referral did not finish")

    # First contact and a clean referral.
    app = fresh_app(directory, f"{language}-referral")
    link(app, Person(app), "Alys", "Gwynedd", PRACTITIONER, ["LL"], language)
    person = Person(app)
    first_contact(person, counted=True)
    referral(person, "clean referral", edits=False)
    app.close()

    # A referral with two edits (themes, postcode) from the summary.
    app = fresh_app(directory, f"{language}-edits")
    person = Person(app)
    first_contact(person)
    referral(person, "referral with edits", edits=True)
    app.close()

    # A check-in (consent first), every item answered.
    app = fresh_app(directory, f"{language}-checkin")
    person = Person(app)
    first_contact(person)
    count("check-in", person.send(say["checkin"]))
    count("check-in", person.send(say["consent"]))
    for _ in range(40):
        if current_step(app, PERSON)[0] != "checkin":
            break
        count("check-in", person.send("3"))
    app.close()

    # An asset search, choosing the walk, and booking it with a reminder.
    app = fresh_app(directory, f"{language}-search")
    person = Person(app)
    first_contact(person)
    for key in ("search", "pick", "go", "when", "remind"):
        count("search and booking", person.send(say[key]))
    app.close()

    # The crisis reply (a safeguarding lead is linked, as in production).
    app = fresh_app(directory, f"{language}-crisis")
    link(app, Person(app), "Lowri", "Gwynedd", LEAD, ["LL"], language, lead=True)
    person = Person(app)
    first_contact(person)
    count("crisis reply", person.send(say["crisis"]))
    app.close()
    return tallies


SECTION_ORDER = ("what_matters", "themes", "reasons", "barriers", "carer", "name", "dob", "postcode", "nhs",
                 "contact")
FLOW_ORDER = ("first contact", "clean referral", "referral with edits", "check-in", "search and booking",
              "crisis reply", "practitioner referral message")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every SMS as sent")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        results = {lang: run_flows(lang, Path(directory)) for lang in ("en", "cy")}
    print(f"{'flow':32} {'en seg':>7} {'cy seg':>7} {'cy/en':>6}  {'en msgs':>7} {'cy msgs':>7}  target")
    for name in FLOW_ORDER:
        en, cy = results["en"].get(name, Tally()), results["cy"].get(name, Tally())
        ratio = cy.segments / en.segments if en.segments else 0.0
        target = []
        if name in TARGETS:
            target.append(f"<= {TARGETS[name]}" + ("" if max(en.segments, cy.segments) <= TARGETS[name] else " MISSED"))
        if name == "crisis reply":
            target.append(f"cy <= {CRISIS_WELSH}" + ("" if cy.segments <= CRISIS_WELSH else " MISSED"))
        target.append("ratio ok" if ratio <= WELSH_RATIO else "ratio MISSED")
        print(f"{name:32} {en.segments:>7} {cy.segments:>7} {ratio:>6.2f}  {en.messages:>7} {cy.messages:>7}  "
              + ", ".join(target))
    if args.show:
        for lang, tallies in results.items():
            for name in FLOW_ORDER:
                print(f"\n===== {lang}: {name}")
                for text in tallies.get(name, Tally()).texts:
                    print(f"--- [{measure(text).encoding}, {measure(text).segments} seg]\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
