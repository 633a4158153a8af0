"""What waits for a practitioner, item by item: for LIST / RHESTR, for a bare number, for refusals.

Each feature (alerts, referrals, nudges, erasure requests) adds a section that returns its items,
each with the number its messages show, one line naming the person (first name if given, their
language of choice, the channel), and its commands. Oldest first.

A bare number ("1") acts only when exactly one item is waiting for an answer, as the option of
that item's own message; otherwise the practitioner is shown what is waiting, each with its
command. An erasure request never takes a bare number.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.metrics import PRACTITIONER_REFUSED
from bot.channels.registry import label
from bot.outbox import preferred_address
from bot.sms_segments import measure
from bot.rendering import render_sms
from flows.base import Reply, Say, regarding
from flows.practitioner import PractitionerAnswer
from storage.models import Person, Practitioner, Referral

log = logging.getLogger(__name__)

# A LIST by SMS comes as messages of at most this many segments each (a phone shows them in order).
LIST_SEGMENTS = 3
# Telegram's limit is 4096 characters a message; a little under it.
LIST_CHARACTERS = 3500
# Actions that answer the same kind of item (a nudge named by its booking, from before referral numbers).
KINDS = {"nudge": "attendance"}
LANGUAGE_KEYS = {"cy": "practitioner.prefers_cy", "en": "practitioner.prefers_en"}


@dataclass(frozen=True)
class WaitingItem:
    """One thing a practitioner can act on."""

    action: str                 # the practitioner action that answers it: alert, referral, attendance, erase
    number: int                 # the number its messages show ("SAFEGUARDING ALERT 7", "referral 12")
    since: datetime             # when it started waiting (the list is oldest first)
    line: str                   # one line in the practitioner's language, ending with its commands
    verbs: tuple[str, ...] = () # what 1, 2, ... mean when this is the only item waiting; () never
    awaiting: bool = True       # False: open and listed, but not waiting for an answer now
    person_id: int | None = None  # whose data the line carries (erasure redacts the messages it went in)


# A feature's items: (session, practitioner, language, now) -> items.
ItemSection = Callable[[Session, Practitioner, str, datetime], list[WaitingItem]]


def practitioner_language(session: Session, practitioner: Practitioner) -> str:
    person = session.get(Person, practitioner.person_id) if practitioner.person_id else None
    return (person.language if person else None) or practitioner.language


def first_name(session: Session, person_id: int | None) -> str | None:
    """The first name the person gave in their latest referral, if any."""
    if person_id is None:
        return None
    answers = session.scalar(select(Referral.answers).where(Referral.person_id == person_id)
                             .order_by(Referral.id.desc()).limit(1))
    name = (answers or {}).get("first_name") if isinstance(answers, dict) else None
    return str(name).strip() or None if name else None


def channel_name(channel: str | None) -> str:
    return label(channel)


def who(catalog: Catalog, lang: str, *, name: str | None, language: str | None, channel: str | None) -> str:
    """ "Sam, prefers Welsh, SMS": the person as every practitioner message names them."""
    prefers = catalog.text(LANGUAGE_KEYS.get(language or "", "practitioner.prefers_none"), lang)
    parts = [name] if name else []
    return ", ".join([*parts, prefers, channel_name(channel)])


def who_is(session: Session, catalog: Catalog, lang: str, person_id: int | None,
           name: str | None = None, channel: str | None = None) -> str:
    """The same, looked up: their first name, language of choice and the channel they use."""
    person = session.get(Person, person_id) if person_id else None
    if channel is None and person is not None:
        address = preferred_address(person)
        channel = address.channel if address else None
    return who(catalog, lang, name=name or first_name(session, person_id),
               language=person.language if person else None, channel=channel)


def commands(catalog: Catalog, lang: str, keys: Sequence[str], number: int) -> str:
    return " / ".join(catalog.text(key, lang, n=number) for key in keys)


def refuse(turn, practitioner: Practitioner, action: str, reply: Reply) -> None:
    """An item that is not this practitioner's team's (or not there at all): "not found", logged, counted.

    The same reply either way, so nobody learns that another team's item exists. The log names
    the practitioner and the action, never the person or the item's content.
    """
    log.warning("practitioner action refused: not found or not their team's",
                extra={"practitioner_id": practitioner.id, "team_id": practitioner.team_id, "action": action})
    turn.after_commit.append(PRACTITIONER_REFUSED.labels(action).inc)
    turn.reply(reply)


class PractitionerItems:
    """The LIST action, and the "number" action (a bare number), over every feature's items."""

    def __init__(self, catalog: Catalog, actions) -> None:
        self.catalog = catalog
        self.actions = actions  # PractitionerActions: a bare number is handed on as its item's answer
        self.sections: list[ItemSection] = []

    def add(self, section: ItemSection) -> None:
        self.sections.append(section)

    def items(self, session: Session, practitioner: Practitioner, lang: str, now: datetime) -> list[WaitingItem]:
        found = [item for section in self.sections for item in section(session, practitioner, lang, now)]
        return sorted(found, key=lambda i: (i.since, i.action, i.number))

    def show(self, turn, practitioner: Practitioner, answer: PractitionerAnswer) -> None:
        """LIST / RHESTR: everything open, oldest first, each with its commands."""
        lang = practitioner_language(turn.session, practitioner)
        items = self.items(turn.session, practitioner, lang, turn.now)
        if not items:
            turn.reply(Say("practitioner.nothing_open"))
            return None
        self._reply_in_parts(turn, "practitioner.list", lang, items)
        return None

    def number(self, turn, practitioner: Practitioner, answer: PractitionerAnswer):
        """A bare number ("1", in `verb`), or a command without its number ("ACK", `text` "alert:ack"):
        acts on the one item waiting for an answer (of that command's kind), else shows what is waiting."""
        lang = practitioner_language(turn.session, practitioner)
        waiting = [i for i in self.items(turn.session, practitioner, lang, turn.now) if i.awaiting]
        if answer.text:
            kind, verb = answer.text.split(":", 1)
            waiting = [i for i in waiting if KINDS.get(i.action, i.action) == KINDS.get(kind, kind)]
            if len(waiting) == 1:
                item = waiting[0]
                return self.actions(turn, PractitionerAnswer(item.action, str(item.number), verb))
        elif not waiting:
            turn.reply(Say("practitioner.nothing_waiting"))
            return None
        else:
            index = int(answer.verb) - 1 if answer.verb.isdigit() else -1
            if len(waiting) == 1 and 0 <= index < len(waiting[0].verbs):
                item = waiting[0]
                return self.actions(turn, PractitionerAnswer(item.action, str(item.number), item.verbs[index]))
        if not waiting:
            turn.reply(Say("practitioner.nothing_waiting"))
            return None
        self._reply_in_parts(turn, "practitioner.which", lang, waiting)
        return None

    def _reply_in_parts(self, turn, key: str, lang: str, items: list[WaitingItem]) -> None:
        """The items' lines in as few messages as fit: each SMS at most LIST_SEGMENTS segments."""
        sms = turn.message.channel == "sms"

        def fits(text: str) -> bool:
            return measure(render_sms(text, ())).segments <= LIST_SEGMENTS if sms else len(text) <= LIST_CHARACTERS

        parts: list[list[WaitingItem]] = [[]]
        for item in items:
            key_now = key if len(parts) == 1 else "practitioner.list_more"
            lines = [i.line.rstrip() for i in [*parts[-1], item]]
            trial = self.catalog.text(key_now, lang, count=len(items), items="\n".join(lines))
            if parts[-1] and not fits(trial):
                parts.append([item])
            else:
                parts[-1].append(item)
        for n, part in enumerate(parts):
            reply = Say(key if n == 0 else "practitioner.list_more", count=len(items),
                        items="\n".join(i.line.rstrip() for i in part))
            turn.reply(regarding(reply, *(i.person_id for i in part)))
