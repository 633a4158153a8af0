"""Conversation tests that read like the conversation: bot.send("Shwmae").expect("Cymraeg")."""
from __future__ import annotations

import asyncio
import dataclasses
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.bootstrap import App
from bot.messages import InboundMessage
from bot.channels.base import Outcome, Outgoing
from bot.rendering import render_as_text, text_channels
from bot.send_limits import unlimited_routes
from bot.sender import Sender
from bot.simulator import parse_duration
from storage.models import Conversation, OutboundMessage, Person, PersonAddress


@dataclass(frozen=True)
class Said:
    """One outbox row of a message: the catalog key and parameters it was rendered from."""

    key: str
    params: dict
    language: str | None
    body: str


@dataclass(frozen=True)
class Sent:
    """A message as the person's phone would show it, and the rows it was made of."""

    channel: str
    address: str
    text: str
    body: str
    options: tuple[dict, ...]
    language: str | None
    row_ids: tuple[int, ...] = ()
    said: tuple[Said, ...] = ()


class RecordingTransport:
    """A provider that keeps what it was given (errbot's test backend): the real Sender sends to it."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.read: dict[tuple[str, str], int] = {}   # how many of each address's messages a test has seen

    async def send(self, message: Outgoing) -> Outcome:
        rendered = render_as_text(message.channel, message.body, message.options)
        self.sent.append(Sent(message.channel, message.address, rendered, message.body,
                              message.options, message.language, message.row_ids))
        return Outcome.sent(f"test-{message.id}")

    def unread(self, channel: str, address: str) -> list[Sent]:
        mine = [m for m in self.sent if (m.channel, m.address) == (channel, address)]
        start, self.read[(channel, address)] = self.read.get((channel, address), 0), len(mine)
        return mine[start:]


def with_keys(sessions, messages: list[Sent]) -> list[Sent]:
    """The messages with the catalog key and parameters of each row they were made of."""
    ids = [i for m in messages for i in m.row_ids]
    if not ids:
        return messages
    with sessions() as session:
        rows = {r.id: Said(r.catalog_key, r.params or {}, r.language, r.body or "")
                for r in session.execute(select(OutboundMessage.id, OutboundMessage.catalog_key,
                                                OutboundMessage.params, OutboundMessage.language,
                                                OutboundMessage.body).where(OutboundMessage.id.in_(ids)))}
    return [dataclasses.replace(m, said=tuple(rows[i] for i in m.row_ids)) for m in messages]


class Replies:
    """What the bot sent back for one turn, with assertions that chain.

    Behaviour tests assert catalog keys and parameters (`expect_key`), so a translator's change
    to the copy breaks no test about what happened; `expect` reads the text, for rendering tests.
    """

    def __init__(self, messages: list[Sent]):
        self.messages = messages

    @property
    def text(self) -> str:
        return "\n\n".join(m.text for m in self.messages)

    @property
    def options(self) -> list[dict]:
        return [o for m in self.messages for o in m.options]

    @property
    def choices(self) -> list[str]:
        """The values of the options offered (what a button press or a numbered answer sends)."""
        return [str(o["value"]) for o in self.options]

    @property
    def said(self) -> list[Said]:
        return [s for m in self.messages for s in m.said]

    @property
    def keys(self) -> list[str]:
        """The catalog keys of the messages sent, in order."""
        return [s.key for s in self.said]

    def params(self, key: str) -> dict:
        """The parameters the message `key` was rendered with (the first, if sent twice)."""
        for s in self.said:
            if s.key == key:
                return s.params
        raise AssertionError(f"{key!r} not sent; sent {self.keys}:\n{self.text}")

    def expect_key(self, *keys: str, lang: str | None = None, before: str | None = None,
                   options: bool | None = None, choices: tuple[str, ...] | None = None,
                   absent: tuple[str, ...] = (), **params: Any) -> "Replies":
        """Each of `keys` was sent (in `lang`), `keys[0]` before `before`, none of `absent`;
        `params` are the one key's parameters (those named; others are not compared)."""
        assert self.messages, "expected a reply, got none"
        sent = self.keys
        for key in keys:
            assert key in sent, f"{key!r} not sent; sent {sent}:\n{self.text}"
            if lang is not None:
                languages = {s.language for s in self.said if s.key == key}
                assert languages == {lang}, f"{key!r} sent in {languages}, expected {lang}"
        if before is not None:
            assert keys, "before= needs a key to come first"
            assert before in sent, f"{before!r} not sent; sent {sent}"
            assert sent.index(keys[0]) < sent.index(before), f"{keys[0]!r} should come before {before!r}: {sent}"
        if params:
            assert len(keys) == 1, "parameters belong to one key"
            got = self.params(keys[0])
            for name, value in params.items():
                assert name in got, f"{keys[0]!r} has no parameter {name!r}: {got}"
                assert got[name] == value, f"{keys[0]!r}: {name}={got[name]!r}, expected {value!r}"
        if options is not None:
            assert bool(self.options) is options, f"options expected={options}; sent {sent}:\n{self.text}"
        if choices is not None:
            assert tuple(self.choices) == tuple(choices), f"choices {self.choices}, expected {list(choices)}"
        for key in absent:
            assert key not in sent, f"{key!r} should not be sent; sent {sent}"
        return self

    def expect(self, *fragments: str, before: str | None = None, options: bool | None = None,
               absent: tuple[str, ...] = ()) -> "Replies":
        """The text holds each fragment: for tests of what a message looks like (rendering, SMS,
        the Active Offer's bilingual first message) and of data shown in it (names, places)."""
        text = self.text
        assert self.messages, "expected a reply, got none"
        for fragment in fragments:
            assert fragment.casefold() in text.casefold(), f"{fragment!r} not in reply:\n{text}"
        if before is not None:
            assert fragments, "before= needs a fragment to come first"
            first = text.casefold().find(fragments[0].casefold())
            later = text.casefold().find(before.casefold())
            assert later != -1, f"{before!r} not in reply:\n{text}"
            assert first < later, f"{fragments[0]!r} should come before {before!r} in:\n{text}"
        if options is not None:
            assert bool(self.options) is options, f"options expected={options}, reply:\n{text}"
        for fragment in absent:
            assert fragment.casefold() not in text.casefold(), f"{fragment!r} should not be in:\n{text}"
        return self

    def expect_lang(self, language: str) -> "Replies":
        assert self.messages, "expected a reply, got none"
        languages = {m.language for m in self.messages}
        assert languages == {language}, f"languages {languages}, expected {language}:\n{self.text}"
        return self

    def expect_nothing(self) -> "Replies":
        assert not self.messages, f"expected no reply, got:\n{self.text}"
        return self


class ConversationDriver:
    """Drives the real dispatcher, database and outbox as one person (or several) would."""

    def __init__(self, app: App, channel: str = "sms", address: str = "+447700900123"):
        self.app = app
        self.channel = channel
        self.address = address
        self.transport = RecordingTransport()
        self.sender = self._sender()

    def _sender(self) -> Sender:
        # The production Sender without rate limits: what a test sees is what a channel is sent.
        return Sender(self.app.sessions, self.app.clock, self.app.settings,
                      unlimited_routes({name: self.transport for name in text_channels()}))

    def send(self, text: str | None, *, choice: str | None = None, payload: str | None = None,
             provider_id: str | None = None) -> Replies:
        message = InboundMessage(self.channel, self.address, text, provider_id or uuid.uuid4().hex,
                                 choice=choice, payload=payload)
        self.app.dispatcher.handle(message)
        return self.deliver()

    def speaking(self, language: str) -> "ConversationDriver":
        """Make first contact and take the Active Offer in this language ("cy" or "en")."""
        self.send("Helo")
        self.send("1" if language == "cy" else "2").expect_lang(language)
        return self

    def press(self, value: str) -> Replies:
        """Press a button (Telegram's callback data)."""
        return self.send(None, choice=value)

    def deliver(self) -> Replies:
        asyncio.run(self.sender.drain())
        return Replies(with_keys(self.app.sessions, self.transport.unread(self.channel, self.address)))

    def advance(self, duration: str | timedelta) -> Replies:
        delta = parse_duration(duration) if isinstance(duration, str) else duration
        self.app.clock.advance(delta)
        self.app.run_due_work()
        return self.deliver()

    def as_(self, address: str, channel: str | None = None) -> "ConversationDriver":
        """Another sender on the same bot and database (a practitioner, a second person)."""
        other = ConversationDriver(self.app, channel or self.channel, address)
        other.transport = self.transport
        other.sender = other._sender()
        return other

    # ---- looking at what is stored

    def person(self) -> Person | None:
        with self.app.sessions() as session:
            address = session.scalar(select(PersonAddress).where(
                PersonAddress.channel == self.channel, PersonAddress.address == self.address))
            if address is None:
                return None
            person = address.person
            session.expunge_all()
            return person

    def conversation(self) -> Conversation | None:
        person = self.person()
        if person is None:
            return None
        with self.app.sessions() as session:
            conversation = session.scalar(select(Conversation).where(Conversation.person_id == person.id))
            session.expunge_all()
            return conversation

    def rows(self, model: Any, **filters: Any) -> list[Any]:
        with self.app.sessions() as session:
            query = select(model)
            for name, value in filters.items():
                query = query.where(getattr(model, name) == value)
            rows = session.scalars(query.order_by(model.id)).all()
            session.expunge_all()
            return list(rows)
