"""One inbound message, end to end, in one transaction.

inbox (a duplicate provider id stops here) -> person and conversation -> safeguarding
screens -> opt-out -> global keywords -> the current flow's step -> state, outbox rows and
data set events stored together.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from bot.catalog import BILINGUAL, Catalog
from bot.channels.base import Outgoing as OutgoingRow
from bot.channels.registry import phone_number
from bot.choices import resolve_choice
from bot.clock import Clock
from bot.keywords import Keyword, is_opt_in, match as match_keyword
from bot.messages import InboundMessage, clean_text, storable_text
from bot.outbox import QUEUED_TO, joined, prepare_message, queue_message, store_message
from bot.person_addresses import link_same_number
from bot.person_facts import FactColumns, PersonFacts, QueriedFacts
from bot.practitioners import PractitionerActions, link_code_in, record_consent, redeem_link_code
from bot.practitioners import person_facts as practitioner_facts
from flows.base import (
    Ask, Begin, Choice, DataSetEvent, Effect, Event, Flow, FlowContext, FlowSettings, GoTo, Option, Reply, Say,
    SetLanguage, Text, Transition,
)
from flows.consent import RecordConsent, privacy_notice
from flows.language import LANGUAGE_OF_CHOICE
from flows.practitioner import PractitionerAnswer
from flows.registry import FLOWS, intent_routes, menu_options
from flows.yes_no import read_yes_no
from nlu import answers
from nlu.language import detect_language
from nlu.result import NLUBackend, Parse
from nlu.text import has_phrase, words as text_words
from storage.models import Conversation, DataSetEvent as DataSetEventRow, OutboundMessage, Person, PersonAddress
from storage.turn_rows import (
    ADDRESS_SEEN, EVENT_COLUMNS, EVENT_INSERT, INBOX_INSERT, LANGUAGE_OF, RECIPIENT_STATE, turn_select,
)

log = logging.getLogger(__name__)

NO_TEXT = Parse("out_of_scope", 0.0)
HOME_FLOW = "menu"
FIRST_FLOW = "language"
PRACTITIONER_FLOW = "practitioner"
CHECKIN_FLOW = "checkin"
MAX_FLOW_HOPS = 6
CONCURRENT_UPDATE_RETRIES = 5
# Kept in the conversation's state while "stop all messages?" waits for an answer.
OPT_OUT_MARK = "opt_out_asked"
OPT_OUT_OPTIONS = (Option("yes", "conversation.option_opt_out_yes"), Option("no", "conversation.option_opt_out_no"))
LONGEST_OPT_OUT = 10   # words: a longer message is about something else
# Kept in the conversation's state while "carry on or start again?" waits for an answer.
WELCOME_BACK_MARK = "welcome_back_asked"
WELCOME_BACK_OPTIONS = (Option("carry_on", "conversation.option_carry_on"),
                        Option("start_again", "conversation.option_start_again"))
LAST_SEEN_PRECISION = timedelta(minutes=1)


def _store_inbound(session: Session, message: InboundMessage, person_id: int | None, now: datetime,
                   status: str) -> int | None:
    """Insert into the inbox; None if this provider id was seen before."""
    return session.connection().execute(INBOX_INSERT[session.bind.dialect.name == "postgresql"], {
        "channel": message.channel, "provider_id": message.provider_id, "address": message.address,
        "person_id": person_id, "text": storable_text(message.text), "choice": message.choice,
        "status": status, "received_at": now}).scalar()


def _asks_to_opt_out(text: str) -> bool:
    said = text_words(text)
    return 0 < len(said) <= LONGEST_OPT_OUT and any(has_phrase(said, p) for p in answers.words("opt_out"))


def _without(state: Mapping | None, mark: str) -> dict:
    return {k: v for k, v in (state or {}).items() if k != mark}


class Recipient(NamedTuple):
    """What of the person's outbox may be in the way of handing this turn's replies over."""
    sending: bool   # a row to their address is being sent
    waiting: bool   # a row to their address waits to go first


# No sender to hand to (or no reply to the person): as if a row were in the way, so nothing is handed.
NOTHING_HANDED = Recipient(sending=True, waiting=True)


@dataclass
class Outgoing:
    """A reply to render once the turn's effects have settled the language."""

    reply: Reply
    channel: str
    address: str
    person_id: int | None
    language: str | None = None          # None: the person's language at the end of the turn
    ignore_opt_out: bool = False
    idempotency_key: str | None = None


@dataclass
class Turn:
    """One inbound message being handled: what screens and effect handlers may use."""

    session: Session
    person: Person
    conversation: Conversation
    message: InboundMessage
    text: str
    parse: Parse
    now: datetime
    inbound_id: int
    outgoing: list[Outgoing] = field(default_factory=list)
    events: list[DataSetEventRow] = field(default_factory=list)
    # What flows may know about the person (ctx.person); handlers that change a fact update it.
    facts: dict[str, Any] = field(default_factory=dict)
    # The address written from, when its last-seen time is to be stored at the end of the turn.
    seen_address_id: int | None = None
    # Run once the turn has committed (a turn retried after a conflict must not count twice).
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Set when this process's sender sends what the turn commits: the first reply to the person
    # goes in claimed until then, and their replies are handed to it after the commit (Handled.handed).
    hand_over_until: datetime | None = None
    # Whether a row to the address is being sent, and whether one waits to go first, as the turn's
    # SELECT read them (storage/turn_rows.py; None: not read, someone's first message).
    recipient: Recipient | None = None

    @property
    def home_flow(self) -> str:
        return PRACTITIONER_FLOW if self.facts.get("is_practitioner") else HOME_FLOW

    def reply(self, reply: Reply, ignore_opt_out: bool = False) -> None:
        self.outgoing.append(Outgoing(reply, self.message.channel, self.message.address,
                                      self.person.id, ignore_opt_out=ignore_opt_out))

    def send_to(self, channel: str, address: str, reply: Reply, language: str,
                person_id: int | None = None, idempotency_key: str | None = None,
                ignore_opt_out: bool = False) -> None:
        """Queue a message to someone else (a practitioner), in their language."""
        self.outgoing.append(Outgoing(reply, channel, address, person_id, language,
                                      ignore_opt_out, idempotency_key))

    def record(self, event: DataSetEvent, source: str) -> None:
        self.events.append(DataSetEventRow(
            statement=event.statement, subject_key=self.person.pseudonym, person_id=self.person.id,
            value=dict(event.value), occurred_at=self.now, channel=self.message.channel, language=self.person.language,
            source=source,
        ))


@dataclass(frozen=True)
class Handled:
    duplicate: bool = False
    failed: bool = False
    outbound_ids: tuple[int, ...] = ()
    # The turn's replies to the person, for this process's sender to send without a claim: the
    # first message committed claimed, the others queued behind it (see bot/sender.py, take).
    handed: tuple[OutgoingRow, ...] = ()
    # The handed messages were all committed queued, behind the person's message being sent: the
    # sender claims them when that one is recorded (bot/sender.py, take_behind).
    behind: bool = False


# A screen looks at every inbound message before any flow. Returning a Transition means it
# has dealt with the message (for example a risk disclosure) and no flow runs.
Screen = Callable[[Turn, FlowContext], Transition | None]
# A handler carries out an effect. It may return an event (e.g. search results) that is fed
# straight back to the flow that asked, in the same turn.
EffectHandler = Callable[[Turn, Effect], "Event | None"]


class Dispatcher:
    """Handles inbound messages: the single entry point every channel calls."""

    def __init__(
        self,
        *,
        sessions: sessionmaker,
        nlu: NLUBackend,
        catalog: Catalog,
        clock: Clock,
        settings: Any,
        flows: Mapping[str, Flow] = FLOWS,
        screens: Sequence[Screen] = (),
        edit_screens: Sequence[Screen] = (),
        effect_handlers: Mapping[type, EffectHandler] | None = None,
        person_facts: Sequence[FactColumns | QueriedFacts] = (),
        practitioner_actions: PractitionerActions | None = None,
        resources: Mapping[str, Any] | None = None,
        on_opt_in: Sequence[Callable[[Session, int, datetime], Reply | None]] = (),
        write_lock: contextlib.AbstractContextManager | None = None,
    ):
        self.sessions = sessions
        # Held for the transaction only (the App's: SQLite's one writer), never while a remote NLU answers.
        self.write_lock = write_lock if write_lock is not None else contextlib.nullcontext()
        self.nlu = nlu
        self.catalog = catalog
        self.clock = clock
        self.settings = settings
        self.flows = dict(flows)
        self.screens = list(screens)
        # The screens an edited message goes through (the safeguarding screen): nothing else sees it.
        self.edit_screens = list(edit_screens)
        self.practitioner_actions = practitioner_actions or PractitionerActions()
        self.effect_handlers: dict[type, EffectHandler] = {
            SetLanguage: self._set_language,
            RecordConsent: record_consent,
            PractitionerAnswer: self.practitioner_actions,
        }
        self.effect_handlers.update(effect_handlers or {})
        self.person_facts = PersonFacts([practitioner_facts, *person_facts])
        self.resources = dict(resources or {})
        # Called with (session, person id, now) when someone opts back in: may say what resumed.
        self.on_opt_in = list(on_opt_in)
        self._turn_query_for: tuple[int, ...] | None = None
        self._menu = menu_options(self.flows)
        self._intent_routes = intent_routes(self.flows)
        self.default_language = settings.service.default_language
        # Flows see a narrow view: no tokens, passwords or URLs (the whole Settings stays here).
        self._flow_settings = FlowSettings(default_language=self.default_language)

    # ------------------------------------------------------------ entry point

    def handle(self, message: InboundMessage, hand_over: bool = False) -> Handled:
        """One message's turn, committed. `hand_over`: the caller's sender sends the replies now."""
        if "\x00" in (message.choice or "") + (message.payload or ""):
            # PostgreSQL cannot store NUL: in button data or a deep-link payload (both go into state)
            # it would fail the turn and its failure record alike. The text is made storable where
            # it is stored, after the safeguarding screen has read it as sent.
            message = dataclasses.replace(message, choice=storable_text(message.choice),
                                          payload=storable_text(message.payload))
        parsed = None if getattr(self.nlu, "in_process", False) else self._parse_first(message)
        for _ in range(CONCURRENT_UPDATE_RETRIES):
            try:
                with self.write_lock, self.sessions.begin() as session:
                    handled, turn = self._turn(session, message, hand_over, parsed)
                for action in turn.after_commit if turn else ():
                    action()
                return handled
            except (StaleDataError, IntegrityError):
                # Another worker moved this conversation on, or created the person of two first
                # messages from one new address at once: read it again. (A redelivered message is
                # no error: the inbox's insert returns nothing.)
                continue
            except (OperationalError, InterfaceError):
                # The database went away mid-turn: nothing was committed, so the caller answers
                # 503 and the provider sends it again; an apology now would be for nothing.
                raise
            except Exception:
                log.exception("turn failed", extra={"channel": message.channel})
                return self._record_failure(message)
        return self._record_failure(message)

    def _parse_first(self, message: InboundMessage) -> tuple[str, Parse] | None:
        """The NLU's reading, before the turn's transaction: a slow NLU (Rasa) then holds no row
        lock and no pooled connection. In the person's language as last stored; the turn parses
        again in the rare case that its locked read says otherwise."""
        text = clean_text(message.text)
        if not text:
            return None
        try:
            # On a pooled connection: the ORM session adds nothing to one Core SELECT.
            with self.sessions.kw["bind"].connect() as db:
                language = db.execute(LANGUAGE_OF, {"channel": message.channel, "address": message.address}).scalar()
            hint = language or detect_language(text) or self.default_language
            return hint, self.nlu.parse(text, hint)
        except (OperationalError, InterfaceError):
            raise   # the database is away: the caller answers 503 and the provider sends it again
        except Exception:  # noqa: BLE001 - the turn parses again, inside, and says what went wrong
            log.warning("could not read the message before its turn", exc_info=True)
            return None

    def _turn(self, session: Session, message: InboundMessage, hand_over: bool,
              parsed: tuple[str, Parse] | None) -> tuple[Handled, Turn | None]:
        """One message's whole turn in the session's transaction (the caller commits)."""
        now = self.clock.now()
        person, conversation, facts, is_new, seen_address_id, recipient = self._load(session, message, now)
        inbound_id = _store_inbound(session, message, person.id, now, "processed")
        if inbound_id is None:
            return Handled(duplicate=True), None
        if conversation is None:
            conversation = Conversation(person_id=person.id, flow=FIRST_FLOW, state={},
                                        pending_options=[], paused=[], updated_at=now)
            session.add(conversation)
        text = clean_text(message.text)
        hint = person.language or detect_language(text) or self.default_language
        parse = NO_TEXT if not text else parsed[1] if parsed and parsed[0] == hint else self.nlu.parse(text, hint)
        turn = Turn(session, person, conversation, message, text, parse, now, inbound_id, facts=facts,
                    seen_address_id=seen_address_id,
                    hand_over_until=now + timedelta(seconds=self.settings.sender.claim_s) if hand_over else None,
                    recipient=recipient)
        self.decide(turn, is_new)
        ids, handed, behind = self._flush_turn(turn)
        return Handled(outbound_ids=ids, handed=handed, behind=behind), turn

    # ------------------------------------------------------------ the pipeline

    def decide(self, turn: Turn, is_new: bool) -> None:
        """What a turn does, with no database work of its own: screens, commands, keywords and the
        flows; replies and effects are left on the turn. `_turn` calls it inside the transaction;
        bench/stack_floor.py calls it with no session, to time a turn's pure-Python part."""
        ctx = self.context(turn)
        edited = turn.message.edited
        for screen in self.edit_screens if edited else self.screens:
            transition = screen(turn, ctx)
            if transition is not None:
                self._apply(turn, turn.conversation.flow, transition, settle_state=False)
                return
        if edited:
            return  # an edit is screened for risk, and otherwise changes nothing: it never drives a flow
        person, state, words = turn.person, turn.conversation.state or {}, turn.message.choice is None
        known = bool(person.language) and not is_new
        if (code := link_code_in(turn.text)) is not None:
            self._link_practitioner(turn, code)
            return
        if person.opted_out:
            if is_opt_in(turn.text, turn.message.channel):
                self._opt_in(turn)
            return  # someone who said STOP hears nothing more until they opt back in
        keyword = match_keyword(turn.text, turn.message.channel) if words else None
        if keyword is Keyword.STOP:
            self._opt_out(turn)
        elif keyword in (Keyword.WELSH, Keyword.ENGLISH):
            self._switch_language(turn, keyword.value)
        elif keyword is Keyword.HELP and turn.facts.get("is_practitioner"):
            turn.reply(Say("practitioner.commands"))
        elif keyword is Keyword.HELP:
            turn.reply(Say("help.text", language=None if person.language else BILINGUAL))
            self.reprompt(turn, is_new)
        elif (keyword is Keyword.CHECKIN and CHECKIN_FLOW in self.flows and known
              and not turn.facts.get("is_practitioner")):
            self._apply(turn, CHECKIN_FLOW, Transition(None, effects=[GoTo(CHECKIN_FLOW, {"source": "keyword"})]))
        elif keyword in (Keyword.MENU, Keyword.START) and known:
            self._go_home(turn)
        elif words and answers.said(turn.text, "privacy"):
            # PRIVACY / PREIFATRWYDD from anywhere, then the question they were at, asked again.
            notice = privacy_notice(self.settings)
            turn.reply(notice if person.language else dataclasses.replace(notice, language=BILINGUAL))
            self.reprompt(turn, is_new)
        elif state.get(OPT_OUT_MARK) and not is_new:
            self._answer_opt_out(turn)
        elif words and not is_new and _asks_to_opt_out(turn.text):
            # "please stop texting me", "stopiwch": one question to be sure, then STOP's opt-out.
            turn.conversation.state = {**state, OPT_OUT_MARK: True}
            turn.reply(Ask("conversation.opt_out_confirm", OPT_OUT_OPTIONS))
        elif turn.message.media and not turn.text and words:
            # A photo, voice note or sticker and no words (WhatsApp says which): say so kindly.
            turn.reply(Say("conversation.words_please", language=None if person.language else BILINGUAL))
            self.reprompt(turn, is_new)
        elif is_new or not person.language and turn.conversation.flow != FIRST_FLOW:
            self._begin_first_contact(turn)
        elif state.get(WELCOME_BACK_MARK):
            self._answer_welcome_back(turn)
        elif not self._stale(turn):
            self._step(turn)   # the usual case: the flow they are in reads the message
        elif answers.said(turn.text, "carry_on") or answers.said(turn.text, "start_again"):
            self._answer_welcome_back(turn)   # "carry on", in answer to a reminder: no need to ask
        else:   # back after a while, part-way through something: carry on, or start again?
            turn.conversation.state = {**state, WELCOME_BACK_MARK: True}
            turn.reply(Ask("conversation.welcome_back", WELCOME_BACK_OPTIONS))

    def _answer_opt_out(self, turn: Turn) -> None:
        answer = read_yes_no(self._event(turn))
        turn.conversation.state = _without(turn.conversation.state, OPT_OUT_MARK)
        if answer is True:
            self._opt_out(turn)
            return
        turn.reply(Say("conversation.opt_out_kept" if answer is False else "conversation.opt_out_unclear"))
        self.reprompt(turn)

    # ------------------------------------------------------------ coming back after a while

    def _stale(self, turn: Turn) -> bool:
        """Back after the configured gap, part-way through something, with words (not a button)."""
        conversation = turn.conversation
        if turn.message.choice is not None or conversation.flow in (HOME_FLOW, FIRST_FLOW, PRACTITIONER_FLOW):
            return False
        if (conversation.state or {}).get("step") in (None, "home") or conversation.updated_at is None:
            return False
        if any(c.isdigit() for c in turn.text) or resolve_choice(turn.text, conversation.pending_options or []):
            return False   # "1 2", "3", an option's label: an answer to the question they were asked
        updated = conversation.updated_at
        updated = updated if updated.tzinfo else updated.replace(tzinfo=turn.now.tzinfo)
        gap = timedelta(hours=getattr(self.settings.service, "welcome_back_after_hours", 24))
        return turn.now - updated >= gap

    def _answer_welcome_back(self, turn: Turn) -> None:
        event = self._event(turn)
        text = event.text if isinstance(event, Text) else ""
        chose = event.value if isinstance(event, Choice) else None
        if chose == "carry_on" or answers.said(text, "carry_on"):
            turn.conversation.state = _without(turn.conversation.state, WELCOME_BACK_MARK)
            self.reprompt(turn)
        elif chose == "start_again" or answers.said(text, "start_again"):
            self._go_home(turn)
        else:
            turn.reply(Ask("conversation.welcome_back_again", WELCOME_BACK_OPTIONS))

    def _go_home(self, turn: Turn) -> None:
        self._apply(turn, turn.home_flow, Transition(None, effects=[GoTo(turn.home_flow)]))

    def _begin_first_contact(self, turn: Turn) -> None:
        payload = {"detected": detect_language(turn.text), "intent": turn.parse.intent, "text": turn.text,
                   "source": turn.message.payload or ""}
        self.start(turn, FIRST_FLOW, payload)

    def _step(self, turn: Turn) -> None:
        flow = self.flows.get(turn.conversation.flow) or self.flows[HOME_FLOW]
        event = self._event(turn)
        if isinstance(event, Text) and not event.text:
            turn.reply(Say("common.empty_message"))
            self.reprompt(turn)
            return
        state = flow.state_type.from_json(turn.conversation.state or {})
        self._apply(turn, flow.name, flow.step(state, event, self.context(turn)))

    def _event(self, turn: Turn):
        if turn.message.choice is not None:
            return Choice(turn.message.choice)
        if turn.facts.get("is_practitioner"):
            # A practitioner's options belong to each item's own message, never to whichever
            # message went last: the practitioner flow reads numbers and commands itself.
            return Text(turn.text, turn.parse)
        value = resolve_choice(turn.text, turn.conversation.pending_options or [])
        return Text(turn.text, turn.parse) if value is None else Choice(value, turn.text)

    # ------------------------------------------------------------ global keywords

    def _opt_out(self, turn: Turn) -> None:
        person = turn.person
        person.opted_out, person.opted_out_at = True, turn.now
        turn.reply(Say("optout.confirmed", language=person.language or BILINGUAL), ignore_opt_out=True)
        # Nothing queued before the STOP may go out after it.
        for row in turn.session.scalars(select(OutboundMessage).where(
                OutboundMessage.person_id == person.id, OutboundMessage.status == "queued")):
            row.status = "cancelled"

    def _opt_in(self, turn: Turn) -> None:
        person = turn.person
        person.opted_out, person.opted_out_at = False, None
        turn.reply(Say("optout.welcome_back", language=person.language or BILINGUAL))
        for resume in self.on_opt_in:
            if (said := resume(turn.session, person.id, turn.now)) is not None:
                turn.reply(said)
        self.reprompt(turn)

    def _switch_language(self, turn: Turn, language: str) -> None:
        if turn.conversation.flow == FIRST_FLOW or not turn.person.language:
            flow = self.flows[FIRST_FLOW]
            state = flow.state_type.from_json(turn.conversation.state or {})
            self._apply(turn, FIRST_FLOW, flow.step(state, Choice(language), self.context(turn)))
            return
        self._apply(turn, turn.conversation.flow, Transition(
            None, events=[DataSetEvent(LANGUAGE_OF_CHOICE, {"language": language, "how": "switched"})],
            effects=[SetLanguage(language)],
        ), settle_state=False)
        turn.reply(Say("offer.switched"))
        self.reprompt(turn)

    def _link_practitioner(self, turn: Turn, code: str) -> None:
        practitioner = redeem_link_code(turn.session, code, turn.person, turn.now)
        if practitioner is None:
            turn.reply(Say("practitioner.link_failed", language=turn.person.language or BILINGUAL))
            return
        turn.facts = self.person_facts.load(turn.session, turn.person)
        self.start(turn, PRACTITIONER_FLOW, {"name": practitioner.name})

    def _set_language(self, turn: Turn, effect: SetLanguage) -> None:
        turn.person.language, turn.person.language_recorded_at = effect.language, turn.now

    # ------------------------------------------------------------ applying a transition

    def _apply(self, turn: Turn, flow_name: str, transition: Transition, settle_state: bool = True) -> None:
        """Store what a flow decided, following GoTo effects into the next flow."""
        for _ in range(MAX_FLOW_HOPS):
            if settle_state:
                self._settle_state(turn, flow_name, transition.state)
            for reply in transition.replies:
                turn.reply(reply)
            for event in transition.events:
                turn.record(event, flow_name)
            goto, answer = None, None
            for effect in transition.effects:
                if isinstance(effect, GoTo):
                    goto = effect
                else:
                    answer = self.effect_handlers[type(effect)](turn, effect) or answer
            if answer is not None and transition.state is not None:
                # The handler looked something up (e.g. a search): the flow reads the answer now.
                transition = self.flows[flow_name].step(transition.state, answer, self.context(turn))
                continue
            if goto is None:
                return
            flow = self.flows[goto.flow]
            flow_name, settle_state = flow.name, True
            transition = flow.begin(Begin(dict(goto.payload)), self.context(turn))
        raise RuntimeError(f"flows sent each other round more than {MAX_FLOW_HOPS} times")

    def _settle_state(self, turn: Turn, flow_name: str, state) -> None:
        conversation = turn.conversation
        if state is None:
            home = self.flows[turn.home_flow]
            conversation.flow, conversation.state = home.name, home.state_type(step="home").to_json()
        else:
            conversation.flow, conversation.state = flow_name, state.to_json()
        conversation.updated_at = turn.now

    def _flush_turn(self, turn: Turn) -> tuple[tuple[int, ...], tuple[OutgoingRow, ...], bool]:
        session, here = turn.session, (turn.message.channel, turn.message.address)
        sending, waiting = self._recipient(turn)
        # The replies to the person go to this process's sender unless a row of theirs must go first
        # (a row queued to them earlier in this turn too): the first message committed claimed, or,
        # behind their message being sent, all queued, to be claimed when that one is recorded.
        hand_over = not waiting and here not in session.info.get(QUEUED_TO, ())
        ids, handed, recipients = [], [], {turn.person.id: turn.person}
        for out in turn.outgoing:
            if out.person_id is not None and out.person_id not in recipients:
                recipients[out.person_id] = session.get(Person, out.person_id)
            prepared = prepare_message(
                session, self.catalog, out.reply, channel=out.channel, address=out.address,
                now=turn.now, person=recipients.get(out.person_id), language=out.language,
                idempotency_key=out.idempotency_key, ignore_opt_out=out.ignore_opt_out,
            )
            handing = (hand_over and prepared.outgoing is not None and (out.channel, out.address) == here
                       and (out.ignore_opt_out or not turn.person.opted_out))
            # One message in flight per person: the first (a turn's SMS rows joined) claimed now,
            # the rest after it is sent.
            both = joined(handed[-1], prepared.outgoing) if handing and handed else None
            claimed = handing and not sending and (not handed or len(handed) == 1 and both is not None)
            row = store_message(session, self.catalog, prepared, conversation=turn.conversation,
                                claimed_until=turn.hand_over_until if claimed else None)
            if row is None:
                continue
            ids.append(row.id)
            if handing and both is not None:
                handed[-1] = dataclasses.replace(both, ids=handed[-1].row_ids + (row.id,))
            elif handing:
                handed.append(row)
        to_person = [o for o in turn.outgoing if o.person_id == turn.person.id]
        if to_person and not any(o.reply.options for o in to_person):
            turn.conversation.pending_options = []
        # The conversation is written by the flush, with the ORM's version check (version_id_col):
        # StaleDataError if another worker moved it on since it was read (handle() reads it again).
        # Written every turn, changed or not: what the turn decided rests on the version it read.
        turn.conversation.updated_at = turn.now
        flag_modified(turn.conversation, "updated_at")
        if turn.seen_address_id is not None:
            session.connection().execute(ADDRESS_SEEN, {"row_id": turn.seen_address_id, "now": turn.now})
        if turn.events:
            session.connection().execute(EVENT_INSERT, [
                {name: getattr(event, name) for name in EVENT_COLUMNS} for event in turn.events])
        session.flush()
        return tuple(ids), tuple(handed), bool(handed) and sending

    @staticmethod
    def _recipient(turn: Turn) -> Recipient:
        """Whether a row to the person's address is being sent, and whether one waits to go first."""
        if turn.hand_over_until is None or not any(
                (o.channel, o.address) == (turn.message.channel, turn.message.address) for o in turn.outgoing):
            return NOTHING_HANDED
        if turn.recipient is None:
            sending, waiting = turn.session.connection().execute(RECIPIENT_STATE, {
                "channel": turn.message.channel, "address": turn.message.address, "now": turn.now}).one()
            return Recipient(bool(sending), bool(waiting))
        return turn.recipient

    # ------------------------------------------------------------ for effect handlers

    def feed(self, turn: Turn, flow_name: str, text: str) -> None:
        """Give a flow words the person wrote earlier (held while a safety check was asked) as its next event."""
        flow = self.flows.get(flow_name) or self.flows[turn.home_flow]
        state = flow.state_type.from_json(turn.conversation.state or {})
        parse = self.nlu.parse(text, turn.person.language or self.default_language)
        self._apply(turn, flow.name, flow.step(state, Text(text, parse), self.context(turn)))

    def start(self, turn: Turn, flow_name: str, payload: Mapping[str, Any]) -> None:
        """Begin a flow (e.g. the language offer after a safety check)."""
        flow = self.flows[flow_name]
        self._apply(turn, flow.name, flow.begin(Begin(dict(payload)), self.context(turn)))

    def reprompt(self, turn: Turn, is_new: bool = False) -> None:
        """Ask again where the person is (someone new: the first contact's question)."""
        if is_new:
            self._begin_first_contact(turn)
            return
        flow = self.flows.get(turn.conversation.flow if turn.person.language else FIRST_FLOW) or self.flows[HOME_FLOW]
        state = flow.state_type.from_json(turn.conversation.state or {})
        self._apply(turn, flow.name, Transition(state, replies=flow.prompt(state, self.context(turn))))

    def context(self, turn: Turn) -> FlowContext:
        """What a flow may know in this turn."""
        return FlowContext(
            now=turn.now, language=turn.person.language or self.default_language,
            channel=turn.message.channel, person=dict(turn.facts), settings=self._flow_settings,
            menu=self._menu, intent_routes=self._intent_routes, resources=self.resources,
            phone_known=phone_number(turn.message.channel, turn.message.address) is not None,
        )

    # ------------------------------------------------------------ loading

    def turn_query(self):
        """The turn's one SELECT (storage/turn_rows.py) with every column fact; built again when
        the providers change (tests may add one after the dispatcher is built)."""
        key = tuple(id(p) for p in self.person_facts)
        if self._turn_query_for != key:
            self._turn_query_cached = turn_select(self.person_facts.columns(PersonAddress.person_id))
            self._turn_query_for = key
        return self._turn_query_cached

    def _load(self, session: Session, message: InboundMessage, now: datetime
              ) -> tuple[Person, Conversation | None, dict[str, Any], bool, int | None, tuple[bool, bool] | None]:
        """The person writing (created at first contact), their conversation, their facts,
        whether the address is new, the address id if its last-seen time is to be stored, and
        whether a row to the address is being sent and whether one waits (None: not read)."""
        where = {"channel": message.channel, "address": message.address, "now": now}
        row = session.execute(self.turn_query(), where).mappings().first()
        if row is None and link_same_number(session, message.channel, message.address, now):
            row = session.execute(self.turn_query(), where).mappings().first()
        seen_id, recipient = None, None
        if row is not None:
            address, person, conversation = row["PersonAddress"], row["Person"], row["Conversation"]
            recipient = Recipient(bool(row["recipient_sending"]), bool(row["recipient_waiting"]))
            # Last seen is what picks the address to reach someone on (outbox.preferred_address),
            # so it is stored when it would change that choice or is old; a conversation's
            # messages seconds apart would otherwise cost a write each.
            if (address.unreachable_at is not None or address.last_seen_at is None
                    or now - address.last_seen_at >= LAST_SEEN_PRECISION or row["seen_elsewhere_since"]):
                # Stored at the end of the turn (_flush_turn); known now to anything that looks.
                set_committed_value(address, "last_seen_at", now)
                seen_id = address.id
            # A provider said this address was unreachable (blocked, unsubscribed); they have
            # written from it, so it works again.
            set_committed_value(address, "unreachable_at", None)
        else:
            person, conversation = Person(created_at=now, opted_out=False, pseudonym=uuid.uuid4().hex), None
            person.addresses.append(PersonAddress(channel=message.channel, address=message.address,
                                                  created_at=now, last_seen_at=now))
            session.add(person)
            session.flush()
        # A person created this turn has no facts: nothing can point at them yet.
        return person, conversation, self.person_facts.read(row, session, person), row is None, seen_id, recipient

    def _record_failure(self, message: InboundMessage) -> Handled:
        """Keep what the person said and tell them kindly, even when a turn failed."""
        now = self.clock.now()
        try:
            with self.write_lock, self.sessions.begin() as session:
                person = session.scalar(select(Person).join(PersonAddress).where(
                    PersonAddress.channel == message.channel, PersonAddress.address == message.address))
                inbound_id = _store_inbound(session, message, person.id if person else None, now, "failed")
                if inbound_id is None:
                    return Handled(duplicate=True)
                if person is not None and person.opted_out:
                    return Handled(failed=True)
                row = queue_message(session, self.catalog, Say("common.error"), channel=message.channel,
                                    address=message.address, now=now, person=person)
                return Handled(failed=True, outbound_ids=(row.id,) if row else ())
        except Exception:
            log.exception("could not record a failed turn")
            raise
