"""The console simulator: a conversation typed at a terminal, rendered as a channel would show it."""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import timedelta
from typing import TextIO

from sqlalchemy import select

from bot.bootstrap import App
from bot.clock import FakeClock
from bot.messages import InboundMessage
from bot.channels.base import Outcome, Outgoing
from bot.rendering import render_as_text, text_channels
from bot.send_limits import unlimited_routes
from bot.sender import Sender
from storage.models import Conversation, DataSetEvent, PersonAddress

_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
COMMANDS_HELP = "::advance 3d | ::as ADDRESS | ::state | ::help"


class SimulatorError(Exception):
    """A simulator command was not understood."""


def parse_duration(text: str) -> timedelta:
    text = text.strip().lower()
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        raise SimulatorError(f"cannot read the duration {text!r}: use e.g. 3d, 12h, 2w, 1d6h")
    return sum((timedelta(**{_UNITS[unit]: int(n)}) for n, unit in parts), timedelta())


class ConsoleTransport:
    """Prints each message as the channel would show it."""

    def __init__(self, out: TextIO, showing: tuple[str, str]):
        self.out = out
        self.showing = showing   # the address whose messages the console shows as they are sent
        self.held: dict[tuple[str, str], list[str]] = {}   # others', shown when the console writes as them

    async def send(self, message: Outgoing) -> Outcome:
        text = render_as_text(message.channel, message.body, message.options) + "\n\n"
        if (message.channel, message.address) == self.showing:
            self.out.write(text)
            self.out.flush()
        else:
            self.held.setdefault((message.channel, message.address), []).append(text)
        return Outcome.sent(f"console-{uuid.uuid4().hex[:12]}")

    def show(self, channel: str, address: str) -> None:
        self.showing = (channel, address)
        self.out.write("".join(self.held.pop(self.showing, [])))
        self.out.flush()


class Simulator:
    """Feeds typed lines to the dispatcher as inbound messages from one address."""

    def __init__(self, app: App, channel: str, address: str, out: TextIO, echo: bool = False):
        if not isinstance(app.clock, FakeClock):
            raise TypeError("the simulator needs a FakeClock so ::advance can move time")
        self.app = app
        self.channel = channel
        self.address = address
        self.out = out
        self.echo = echo
        self.transport = ConsoleTransport(out, (channel, address))
        # The real sender, without limits: what the console shows is what a channel would be sent.
        self.sender = Sender(app.sessions, app.clock, app.settings,
                             unlimited_routes({name: self.transport for name in text_channels()}))

    def line(self, text: str) -> None:
        if self.echo:
            self.out.write(f"> {text}\n")
        if text.startswith("::"):
            try:
                self._command(text[2:].strip())
            except SimulatorError as exc:
                self.out.write(f"[simulator] {exc}\n\n")
            return
        message = InboundMessage(self.channel, self.address, text, f"console-{uuid.uuid4().hex}")
        self.app.dispatcher.handle(message)
        self._deliver()

    def _deliver(self) -> None:
        asyncio.run(self.sender.drain())

    def _command(self, command: str) -> None:
        name, _, argument = command.partition(" ")
        if name == "advance":
            moved_to = self.app.clock.advance(parse_duration(argument))
            self.out.write(f"[simulator] clock now {moved_to:%Y-%m-%d %H:%M} UTC\n\n")
            self.app.run_due_work()
            self._deliver()
        elif name == "as":
            if not argument.strip():
                raise SimulatorError("::as needs an address, e.g. ::as +447700900999")
            self.address = argument.strip()
            self.transport.show(self.channel, self.address)
            self.out.write(f"[simulator] now writing as {self.address}\n\n")
            self._deliver()
        elif name == "state":
            self.out.write(json.dumps(self.state(), indent=2, ensure_ascii=False, default=str) + "\n\n")
        elif name == "help":
            self.out.write(f"[simulator] {COMMANDS_HELP}\n\n")
        else:
            raise SimulatorError(f"unknown command ::{name} (try {COMMANDS_HELP})")

    def state(self) -> dict:
        """This address's stored record: person, conversation and data set events."""
        with self.app.sessions() as session:
            address = session.scalar(select(PersonAddress).where(
                PersonAddress.channel == self.channel, PersonAddress.address == self.address))
            if address is None:
                return {"address": self.address, "person": None}
            person = address.person
            conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.id))
            events = session.scalars(select(DataSetEvent).where(DataSetEvent.person_id == person.id)
                                     .order_by(DataSetEvent.id)).all()
            return {
                "person": {
                    "id": person.id, "language": person.language,
                    "language_recorded_at": person.language_recorded_at,
                    "opted_out": person.opted_out, "opted_out_at": person.opted_out_at,
                    "addresses": [{"channel": a.channel, "address": a.address} for a in person.addresses],
                },
                "conversation": None if conversation is None else {
                    "flow": conversation.flow, "state": conversation.state,
                    "paused": conversation.paused, "version": conversation.version,
                },
                "dataset_events": [
                    {"statement": e.statement, "value": e.value, "at": e.occurred_at, "source": e.source}
                    for e in events
                ],
            }
