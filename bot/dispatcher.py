"""One inbound message, end to end, in one transaction.

inbox (a duplicate provider id stops here) -> person and conversation -> safeguarding
screens -> opt-out -> global keywords -> the current flow's step -> state, outbox rows and
data set events stored together.
"""
from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased, lazyload, sessionmaker
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from bot.catalog import BILINGUAL, Catalog
from bot.choices import resolve_choice
from bot.clock import Clock
from bot.channels.base import Outgoing as OutgoingRow
from bot.channels.registry import phone_number
from bot.person_addresses import link_same_number
from bot.outbox import claim_rows, join_turn, outbox_insert, queue_message, recipient_free
from bot.practitioners import PractitionerActions, link_code_in, record_consent, redeem_link_code
from bot.person_facts import FactColumns, PersonFacts
from bot.practitioners import person_facts as practitioner_facts
from bot.keywords import Keyword, is_opt_in, match as match_keyword
from bot.messages import InboundMessage, clean_text, storable_text
from flows.base import (
    Ask, Begin, Choice, Option, DataSetEvent, Effect, Event, Flow, FlowContext, FlowSettings, GoTo, Reply, Say,
    SetLanguage, Text,
    Transition,
)
from flows.consent import RecordConsent, privacy_notice
from flows.language import LANGUAGE_OF_CHOICE
from flows.practitioner import PractitionerAnswer
from flows.registry import FLOWS, intent_routes, menu_options
from flows.yes_no import read_yes_no
from nlu import answers
from nlu.text import has_phrase, words as text_words
from nlu.language import detect_language
from nlu.result import NLUBackend, Parse
from storage.models import (
    Conversation, InboundMessage as InboundRow, OutboundMessage, Person, PersonAddress,
)
from storage.dataset.promoted import COLUMNS as PROMOTED_COLUMNS
from storage.models import DataSetEvent as DataSetEventRow

log = logging.getLogger(__name__)

NO_TEXT = Parse("out_of_scope", 0.0)
HOME_FLOW = "menu"
FIRST_FLOW = "language"
PRACTITIONER_FLOW = "practitioner"
CHECKIN_FLOW = "checkin"
MAX_FLOW_HOPS = 6
# Kept in the conversation's state while "stop all messages?" waits for an answer.
OPT_OUT_MARK = "opt_out_asked"
OPT_OUT_OPTIONS = (Option("yes", "conversation.option_opt_out_yes"), Option("no", "conversation.option_opt_out_no"))
LONGEST_OPT_OUT = 10   # words: a longer message is about something else


def _asks_to_opt_out(text: str) -> bool:
    said = text_words(text)
    return 0 < len(said) <= LONGEST_OPT_OUT and any(has_phrase(said, p) for p in answers.words("opt_out"))


# Kept in the conversation's state while "carry on or start again?" waits for an answer.
WELCOME_BACK_MARK = "welcome_back_asked"
WELCOME_BACK_OPTIONS = (Option("carry_on", "conversation.option_carry_on"),
                        Option("start_again", "conversation.option_start_again"))
CONCURRENT_UPDATE_RETRIES = 5

# Built once: building an INSERT with .values() on every turn cost more than running it.
_INBOX_COLUMNS = ("channel", "provider_id", "address", "person_id", "text", "choice", "status", "received_at")
# On the Core table: the ORM's bulk-insert path costs more than the INSERT itself.
_INBOX_INSERT = {
    is_pg: (pg_insert if is_pg else sqlite_insert)(InboundRow.__table__)
    .values({name: bindparam(name) for name in _INBOX_COLUMNS})
    .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
    .returning(InboundRow.__table__.c.id)
    for is_pg in (False, True)
}


# Data set events go in with one executemany, not the ORM's unit of work (a turn that recorded
# an event spent a quarter of its time in the flush).
_EVENT_TABLE = DataSetEventRow.__table__
# Not the columns promoted from `value`: left out, the model's defaults work them out per row.
_EVENT_COLUMNS = tuple(c.name for c in _EVENT_TABLE.columns if c.name not in ("id", *PROMOTED_COLUMNS))
_EVENT_INSERT = insert(_EVENT_TABLE)
_ADDRESS_TABLE = PersonAddress.__table__
_LANGUAGE_OF = (
    select(Person.__table__.c.language)
    .join_from(_ADDRESS_TABLE, Person.__table__, Person.__table__.c.id == _ADDRESS_TABLE.c.person_id)
    .where(_ADDRESS_TABLE.c.channel == bindparam("channel"), _ADDRESS_TABLE.c.address == bindparam("address"))
)
LAST_SEEN_PRECISION = timedelta(minutes=1)
_ADDRESS_SEEN = (
    update(_ADDRESS_TABLE).where(_ADDRESS_TABLE.c.id == bindparam("row_id"))
    .values(last_seen_at=bindparam("now"), unreachable_at=None)
)


@dataclass(frozen=True)
class TurnStatements:
    """The prebuilt Core statements a steady-state turn runs besides its SELECT (Dispatcher.turn_query)
    and the conversation's versioned UPDATE (the ORM's): public so that bench/stack_floor.py can time
    the very statements a turn runs, beneath the dispatcher, without reading its private names."""

    inbox_insert: Any
    outbox_insert: Any
    address_seen: Any


def turn_statements(postgresql: bool) -> TurnStatements:
    return TurnStatements(_INBOX_INSERT[postgresql], outbox_insert(postgresql, keyed=False), _ADDRESS_SEEN)


def _storable_choice_and_payload(message: InboundMessage) -> InboundMessage:
    if "\x00" not in (message.choice or "") + (message.payload or ""):
        return message
    # PostgreSQL cannot store NUL: in button data or a deep-link payload (both go into state)
    # it would fail the turn and its failure record alike. The text is made storable where it
    # is stored, after the safeguarding screen has read it as sent.
    return dataclasses.replace(message, choice=storable_text(message.choice), payload=storable_text(message.payload))


def _seen_elsewhere_since():
    """Whether another of the person's addresses was seen since this one (the turn's address)."""
    other = aliased(PersonAddress)
    return exists().where(other.person_id == PersonAddress.person_id, other.id != PersonAddress.id,
                          other.last_seen_at >= PersonAddress.last_seen_at)


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


# A screen looks at every inbound message before any flow. Returning a Transition means it
# has dealt with the message (for example a risk disclosure) and no flow runs.
Screen = Callable[[Turn, FlowContext], Transition | None]
# A handler carries out an effect. It may return an event (e.g. search results) that is fed
# straight back to the flow that asked, in the same turn.
EffectHandler = Callable[[Turn, Effect], "Event | None"]
QueriedFacts = Callable[[Session, Person], Mapping[str, Any]]


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
        on_opt_out: Sequence[Callable[[Session, int, datetime], None]] = (),
        on_opt_in: Sequence[Callable[[Session, int, datetime], Reply | None]] = (),
    ):
        self.sessions = sessions
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
        # Called with (session, person id, now) when someone opts out: cancels what is pending.
        self.on_opt_out = list(on_opt_out)
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
        message = _storable_choice_and_payload(message)
        parsed = self._parse_first(message)
        for _ in range(CONCURRENT_UPDATE_RETRIES):
            try:
                return self._handle_once(message, hand_over, parsed)
            except StaleDataError:
                continue  # another worker moved this conversation on; read it again
            except IntegrityError:
                # Two first messages from one new address at once: the other worker created the
                # person; read it again. (A redelivered message is not an error: see _store_inbound.)
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
                language = db.execute(_LANGUAGE_OF, {"channel": message.channel, "address": message.address}).scalar()
            hint = language or detect_language(text) or self.default_language
            return hint, self.nlu.parse(text, hint)
        except (OperationalError, InterfaceError):
            # The database is away: the caller answers 503 and the provider sends it again.
            raise
        except Exception:  # noqa: BLE001 - the turn parses again, inside, and says what went wrong
            log.warning("could not read the message before its turn", exc_info=True)
            return None

    def _handle_once(self, message: InboundMessage, hand_over: bool = False,
                     parsed: tuple[str, Parse] | None = None) -> Handled:
        with self.sessions.begin() as session:
            handled, turn = self._turn(session, message, hand_over, parsed)
        self._after_commit(turn)
        return handled

    def _turn(self, session: Session, message: InboundMessage, hand_over: bool = False,
              parsed: tuple[str, Parse] | None = None) -> tuple[Handled, Turn | None]:
        """One message's whole turn in the session's transaction (the caller commits)."""
        now = self.clock.now()
        person, conversation, facts, is_new, seen_address_id = self._load(session, message, now)
        inbound_id = self._store_inbound(session, message, person.id, now, "processed")
        if inbound_id is None:
            return Handled(duplicate=True), None
        if conversation is None:
            conversation = self._new_conversation(session, person, now)
        text = clean_text(message.text)
        language_hint = person.language or detect_language(text) or self.default_language
        if not text:
            parse = NO_TEXT
        elif parsed is not None and parsed[0] == language_hint:
            parse = parsed[1]
        else:
            parse = self.nlu.parse(text, language_hint)
        turn = Turn(session, person, conversation, message, text, parse, now, inbound_id, facts=facts,
                    seen_address_id=seen_address_id)
        if hand_over:
            turn.hand_over_until = now + timedelta(seconds=self.settings.sender.claim_s)
        self.decide(turn, is_new)
        ids, handed = self._flush_turn(turn)
        return Handled(outbound_ids=ids, handed=handed), turn

    @staticmethod
    def _after_commit(turn: Turn | None) -> None:
        for action in turn.after_commit if turn else ():
            action()

    # ------------------------------------------------------------ the pipeline

    def decide(self, turn: Turn, is_new: bool) -> None:
        """What a turn does, with no database work of its own: screens, commands, keywords and the
        flows; replies and effects are left on the turn. `_turn` calls it inside the transaction;
        bench/stack_floor.py calls it with no session, to time a turn's pure-Python part."""
        ctx = self._context(turn)
        edited = turn.message.edited
        for screen in self.edit_screens if edited else self.screens:
            transition = screen(turn, ctx)
            if transition is not None:
                self._apply(turn, turn.conversation.flow, transition, settle_state=False)
                return
        if edited:
            return  # an edit is screened for risk, and otherwise changes nothing: it never drives a flow
        person = turn.person
        if (code := link_code_in(turn.text)) is not None:
            self._link_practitioner(turn, code)
            return
        if person.opted_out:
            if is_opt_in(turn.text, turn.message.channel):
                self._opt_in(turn)
            return  # someone who said STOP hears nothing more until they opt back in
        keyword = match_keyword(turn.text, turn.message.channel) if turn.message.choice is None else None
        if keyword is Keyword.STOP:
            self._opt_out(turn)
        elif keyword in (Keyword.WELSH, Keyword.ENGLISH):
            self._switch_language(turn, keyword.value)
        elif keyword is Keyword.HELP and turn.facts.get("is_practitioner"):
            turn.reply(Say("practitioner.commands"))
        elif keyword is Keyword.HELP:
            turn.reply(Say("help.text", language=None if person.language else BILINGUAL))
            self._reprompt(turn, is_new)
        elif (keyword is Keyword.CHECKIN and CHECKIN_FLOW in self.flows and person.language and not is_new
              and not turn.facts.get("is_practitioner")):
            self._apply(turn, CHECKIN_FLOW, Transition(None, effects=[GoTo(CHECKIN_FLOW, {"source": "keyword"})]))
        elif keyword in (Keyword.MENU, Keyword.START) and person.language and not is_new:
            self._apply(turn, turn.home_flow, Transition(None, effects=[GoTo(turn.home_flow)]))
        elif turn.message.choice is None and answers.said(turn.text, "privacy"):
            # PRIVACY / PREIFATRWYDD from anywhere, then the question they were at, asked again.
            notice = privacy_notice(self.settings)
            turn.reply(notice if person.language else dataclasses.replace(notice, language=BILINGUAL))
            self._reprompt(turn, is_new)
        elif (turn.conversation.state or {}).get(OPT_OUT_MARK) and not is_new:
            self._answer_opt_out(turn)
        elif turn.message.choice is None and not is_new and _asks_to_opt_out(turn.text):
            # "please stop texting me", "stopiwch": one question to be sure, then STOP's opt-out.
            turn.conversation.state = {**(turn.conversation.state or {}), OPT_OUT_MARK: True}
            turn.reply(Ask("conversation.opt_out_confirm", OPT_OUT_OPTIONS))
        elif turn.message.media and not turn.text and turn.message.choice is None:
            # A photo, voice note or sticker and no words (WhatsApp says which): say so kindly.
            turn.reply(Say("conversation.words_please", language=None if person.language else BILINGUAL))
            self._reprompt(turn, is_new)
        elif is_new or not person.language and turn.conversation.flow != FIRST_FLOW:
            self._begin_first_contact(turn)
        elif (turn.conversation.state or {}).get(WELCOME_BACK_MARK):
            self._answer_welcome_back(turn)
        elif self._stale(turn):
            self._welcome_back(turn)
        else:
            self._step(turn)

    def _answer_opt_out(self, turn: Turn) -> None:
        answer = read_yes_no(self._event(turn))
        turn.conversation.state = {k: v for k, v in (turn.conversation.state or {}).items() if k != OPT_OUT_MARK}
        if answer is True:
            self._opt_out(turn)
            return
        if answer is False:
            turn.reply(Say("conversation.opt_out_kept"))
        else:
            turn.reply(Say("conversation.opt_out_unclear"))
        self._reprompt(turn, False)

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

    def _welcome_back(self, turn: Turn) -> None:
        if answers.said(turn.text, "carry_on") or answers.said(turn.text, "start_again"):
            self._answer_welcome_back(turn)   # "carry on", in answer to a reminder: no need to ask
            return
        turn.conversation.state = {**(turn.conversation.state or {}), WELCOME_BACK_MARK: True}
        turn.conversation.updated_at = turn.now
        turn.reply(Ask("conversation.welcome_back", WELCOME_BACK_OPTIONS))

    def _answer_welcome_back(self, turn: Turn) -> None:
        event = self._event(turn)
        text = event.text if isinstance(event, Text) else ""
        carry_on = isinstance(event, Choice) and event.value == "carry_on" or answers.said(text, "carry_on")
        start_again = isinstance(event, Choice) and event.value == "start_again" or \
            answers.said(text, "start_again")
        state = {k: v for k, v in (turn.conversation.state or {}).items() if k != WELCOME_BACK_MARK}
        if carry_on:
            turn.conversation.state = state
            self._reprompt(turn, False)
        elif start_again:
            self._apply(turn, turn.home_flow, Transition(None, effects=[GoTo(turn.home_flow)]))
        else:
            turn.reply(Ask("conversation.welcome_back_again", WELCOME_BACK_OPTIONS))

    def _begin_first_contact(self, turn: Turn) -> None:
        detected = detect_language(turn.text)
        payload = {"detected": detected, "intent": turn.parse.intent, "text": turn.text,
                   "source": turn.message.payload or ""}
        flow = self.flows[FIRST_FLOW]
        self._apply(turn, FIRST_FLOW, flow.begin(Begin(payload), self._context(turn)))

    def _step(self, turn: Turn) -> None:
        conversation = turn.conversation
        flow = self.flows.get(conversation.flow) or self.flows[HOME_FLOW]
        state = flow.state_type.from_json(conversation.state or {})
        event = self._event(turn)
        if isinstance(event, Text) and not event.text:
            turn.reply(Say("common.empty_message"))
            self._reprompt(turn, False)
            return
        self._apply(turn, flow.name, flow.step(state, event, self._context(turn)))

    def _event(self, turn: Turn):
        if turn.message.choice is not None:
            return Choice(turn.message.choice)
        if turn.facts.get("is_practitioner"):
            # A practitioner's options belong to each item's own message, never to whichever
            # message went last: the practitioner flow reads numbers and commands itself.
            return Text(turn.text, turn.parse)
        value = resolve_choice(turn.text, turn.conversation.pending_options or [])
        if value is not None:
            return Choice(value, turn.text)
        return Text(turn.text, turn.parse)

    def _reprompt(self, turn: Turn, is_new: bool) -> None:
        if is_new:
            self._begin_first_contact(turn)
            return
        name = turn.conversation.flow if turn.person.language else FIRST_FLOW
        flow = self.flows.get(name) or self.flows[HOME_FLOW]
        state = flow.state_type.from_json(turn.conversation.state or {})
        replies = flow.prompt(state, self._context(turn))
        self._apply(turn, flow.name, Transition(state, replies=replies))

    # ------------------------------------------------------------ global keywords

    def _opt_out(self, turn: Turn) -> None:
        person = turn.person
        person.opted_out = True
        person.opted_out_at = turn.now
        turn.reply(Say("optout.confirmed", language=person.language or BILINGUAL), ignore_opt_out=True)
        # Nothing queued before the STOP may go out after it.
        for row in turn.session.scalars(
            select(OutboundMessage).where(OutboundMessage.person_id == person.id,
                                          OutboundMessage.status == "queued")
        ):
            row.status = "cancelled"
        for cancel in self.on_opt_out:
            cancel(turn.session, person.id, turn.now)

    def _opt_in(self, turn: Turn) -> None:
        person = turn.person
        person.opted_out = False
        person.opted_out_at = None
        turn.reply(Say("optout.welcome_back", language=person.language or BILINGUAL))
        for resume in self.on_opt_in:
            if (said := resume(turn.session, person.id, turn.now)) is not None:
                turn.reply(said)
        self._reprompt(turn, False)

    def _switch_language(self, turn: Turn, language: str) -> None:
        if turn.conversation.flow == FIRST_FLOW or not turn.person.language:
            flow = self.flows[FIRST_FLOW]
            state = flow.state_type.from_json(turn.conversation.state or {})
            self._apply(turn, FIRST_FLOW, flow.step(state, Choice(language), self._context(turn)))
            return
        self._apply(turn, turn.conversation.flow, Transition(
            None, events=[DataSetEvent(LANGUAGE_OF_CHOICE, {"language": language, "how": "switched"})],
            effects=[SetLanguage(language)],
        ), settle_state=False)
        turn.reply(Say("offer.switched"))
        self._reprompt(turn, False)

    def _link_practitioner(self, turn: Turn, code: str) -> None:
        practitioner = redeem_link_code(turn.session, code, turn.person, turn.now)
        if practitioner is None:
            turn.reply(Say("practitioner.link_failed", language=turn.person.language or BILINGUAL))
            return
        self._load_facts(turn)
        flow = self.flows[PRACTITIONER_FLOW]
        self._apply(turn, flow.name, flow.begin(Begin({"name": practitioner.name}), self._context(turn)))

    def _set_language(self, turn: Turn, effect: SetLanguage) -> None:
        turn.person.language = effect.language
        turn.person.language_recorded_at = turn.now

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
                transition = self.flows[flow_name].step(transition.state, answer, self._context(turn))
                continue
            if goto is None:
                return
            flow = self.flows[goto.flow]
            flow_name, settle_state = flow.name, True
            transition = flow.begin(Begin(dict(goto.payload)), self._context(turn))
        raise RuntimeError(f"flows sent each other round more than {MAX_FLOW_HOPS} times")

    def _settle_state(self, turn: Turn, flow_name: str, state) -> None:
        conversation = turn.conversation
        if state is None:
            home = self.flows[turn.home_flow]
            conversation.flow = home.name
            conversation.state = home.state_type(step="home").to_json()
        else:
            conversation.flow = flow_name
            conversation.state = state.to_json()
        conversation.updated_at = turn.now

    def _flush_turn(self, turn: Turn) -> tuple[tuple[int, ...], tuple[OutgoingRow, ...]]:
        session = turn.session
        # No flush before the outbox rows: the conversation's pending options change with them,
        # and one UPDATE at the end is one round trip, not two.
        ids, handed = [], []
        recipients = {}
        here = (turn.message.channel, turn.message.address)
        # The sender sends the replies to the person without a claim when nothing of theirs must
        # go first: checked before this turn's rows are written, with their address locked.
        hand_over = turn.hand_over_until is not None and any(
            (o.channel, o.address) == here for o in turn.outgoing) and recipient_free(session, *here, turn.now)
        for out in turn.outgoing:
            if out.person_id is not None and out.person_id not in recipients:
                recipients[out.person_id] = (turn.person if out.person_id == turn.person.id
                                             else session.get(Person, out.person_id))
            row = queue_message(
                session, self.catalog, out.reply, channel=out.channel, address=out.address,
                now=turn.now, person=recipients.get(out.person_id), language=out.language,
                idempotency_key=out.idempotency_key, ignore_opt_out=out.ignore_opt_out,
                conversation=turn.conversation,
            )
            if row is not None:
                ids.append(row.id)
                if hand_over and (out.channel, out.address) == here and (
                        out.ignore_opt_out or not turn.person.opted_out):
                    handed.append(row)
        if handed:
            # One message in flight per person: the first claimed now, the rest after it is sent.
            handed = join_turn(handed)
            first = handed[0]
            claim_rows(session, first.row_ids, turn.hand_over_until)
        if any(o.person_id == turn.person.id for o in turn.outgoing) and not any(
            o.reply.options for o in turn.outgoing if o.person_id == turn.person.id
        ):
            turn.conversation.pending_options = []
        # The conversation is written by the flush, with the ORM's version check (version_id_col):
        # StaleDataError if another worker moved it on since it was read (handle() reads it again).
        # Written every turn, changed or not: what the turn decided rests on the version it read.
        turn.conversation.updated_at = turn.now
        flag_modified(turn.conversation, "updated_at")
        if turn.seen_address_id is not None:
            session.connection().execute(_ADDRESS_SEEN, {"row_id": turn.seen_address_id, "now": turn.now})
        if turn.events:
            session.connection().execute(_EVENT_INSERT, [
                {name: getattr(event, name) for name in _EVENT_COLUMNS} for event in turn.events])
        session.flush()
        return tuple(ids), tuple(handed)

    # ------------------------------------------------------------ loading

    def _load_facts(self, turn: Turn) -> None:
        turn.facts = self.person_facts.load(turn.session, turn.person)

    def feed(self, turn: Turn, flow_name: str, text: str) -> None:
        """Give a flow words the person wrote earlier (held while a safety check was asked) as its next event."""
        flow = self.flows.get(flow_name) or self.flows[turn.home_flow]
        state = flow.state_type.from_json(turn.conversation.state or {})
        parse = self.nlu.parse(text, turn.person.language or self.default_language)
        self._apply(turn, flow.name, flow.step(state, Text(text, parse), self._context(turn)))

    def start(self, turn: Turn, flow_name: str, payload: Mapping[str, Any]) -> None:
        """Begin a flow for an effect handler (e.g. the language offer after a safety check)."""
        flow = self.flows[flow_name]
        self._apply(turn, flow.name, flow.begin(Begin(dict(payload)), self._context(turn)))

    def reprompt(self, turn: Turn) -> None:
        """Ask again where the person is, for an effect handler."""
        self._reprompt(turn, False)

    def context(self, turn: Turn) -> FlowContext:
        """What a flow may know in this turn (for effect handlers that ask a flow's question again)."""
        return self._context(turn)

    def _context(self, turn: Turn) -> FlowContext:
        return FlowContext(
            now=turn.now, language=turn.person.language or self.default_language,
            channel=turn.message.channel, person=dict(turn.facts), settings=self._flow_settings,
            menu=self._menu, intent_routes=self._intent_routes, resources=self.resources,
            phone_known=phone_number(turn.message.channel, turn.message.address) is not None,
        )

    def turn_query(self):
        """The address, its person, their conversation and every column fact: one SELECT a turn.

        Built on first use (tests may add fact providers after the dispatcher is built) and
        again whenever the providers change.
        """
        key = tuple(id(p) for p in self.person_facts)
        if self._turn_query_for != key:
            query = (
                select(PersonAddress, Person, Conversation, _seen_elsewhere_since().label("seen_elsewhere_since"),
                       *self.person_facts.columns(PersonAddress.person_id))
                .join(Person, Person.id == PersonAddress.person_id)
                .outerjoin(Conversation, Conversation.person_id == PersonAddress.person_id)
                .where(PersonAddress.channel == bindparam("channel"), PersonAddress.address == bindparam("address"))
                .options(lazyload(Person.addresses))   # the person's other addresses only if used
            )
            # Several web workers (PostgreSQL): a second message from the same address waits here
            # until the first one's turn commits, then reads the state that turn left, so one
            # person's messages are handled one after another, in the order they got here. The
            # conversation's version check still catches anything else that moved it on (another
            # of the person's addresses, due work). SQLite has one writer and ignores this.
            self._turn_query_cached = query.with_for_update(of=PersonAddress)
            self._turn_query_for = key
        return self._turn_query_cached

    def _load(self, session: Session, message: InboundMessage, now: datetime
              ) -> tuple[Person, Conversation | None, dict[str, Any], bool, int | None]:
        """The person writing (created at first contact), their conversation and facts, whether
        the address is new, and the address id if its last-seen time is to be stored."""
        where = {"channel": message.channel, "address": message.address}
        row = session.execute(self.turn_query(), where).mappings().first()
        if row is None and link_same_number(session, message.channel, message.address, now):
            row = session.execute(self.turn_query(), where).mappings().first()
        if row is not None:
            address, person = row["PersonAddress"], row["Person"]
            # Last seen is what picks the address to reach someone on (outbox.preferred_address),
            # so it is stored when it would change that choice or is old; a conversation's
            # messages seconds apart would otherwise cost a write each.
            store_seen = (address.unreachable_at is not None or address.last_seen_at is None
                          or now - address.last_seen_at >= LAST_SEEN_PRECISION or row["seen_elsewhere_since"])
            if store_seen:
                # Stored at the end of the turn (_flush_turn); known now to anything that looks.
                set_committed_value(address, "last_seen_at", now)
            # A provider said this address was unreachable (blocked, unsubscribed); they have
            # written from it, so it works again.
            set_committed_value(address, "unreachable_at", None)
            return (person, row["Conversation"], self.person_facts.read(row, session, person), False,
                    address.id if store_seen else None)
        person = Person(created_at=now, opted_out=False, pseudonym=uuid.uuid4().hex)
        person.addresses.append(PersonAddress(channel=message.channel, address=message.address,
                                              created_at=now, last_seen_at=now))
        session.add(person)
        session.flush()
        # Created this turn: no practitioner, consent, referral or request can point at it yet.
        return person, None, self.person_facts.read(None, session, person), True, None

    def _new_conversation(self, session: Session, person: Person, now: datetime) -> Conversation:
        conversation = Conversation(person_id=person.id, flow=FIRST_FLOW, state={},
                                    pending_options=[], paused=[], updated_at=now)
        session.add(conversation)
        return conversation

    def _store_inbound(self, session: Session, message: InboundMessage, person_id: int | None,
                       now: datetime, status: str) -> int | None:
        """Insert into the inbox; None if this provider id was seen before."""
        statement = _INBOX_INSERT[session.bind.dialect.name == "postgresql"]
        # On the connection: a Core INSERT needs neither the ORM's execute path nor its autoflush.
        return session.connection().execute(statement, {
            "channel": message.channel, "provider_id": message.provider_id, "address": message.address,
            "person_id": person_id, "text": storable_text(message.text), "choice": message.choice,
            "status": status, "received_at": now,
        }).scalar()

    def _record_failure(self, message: InboundMessage) -> Handled:
        """Keep what the person said and tell them kindly, even when a turn failed."""
        now = self.clock.now()
        try:
            with self.sessions.begin() as session:
                address = session.scalar(
                    select(PersonAddress).where(PersonAddress.channel == message.channel,
                                                PersonAddress.address == message.address)
                )
                person = address.person if address else None
                inbound_id = self._store_inbound(session, message, person.id if person else None, now, "failed")
                if inbound_id is None:
                    return Handled(duplicate=True)
                if person is not None and person.opted_out:
                    return Handled(failed=True)
                language = (person.language if person else None) or BILINGUAL
                reply = Say("common.error")
                rendered = self.catalog.render(reply, language)
                row = OutboundMessage(
                    person_id=person.id if person else None, channel=message.channel,
                    address=message.address, body=rendered.body, options=[], language=rendered.language,
                    catalog_key=reply.key, params={},
                    status="queued", created_at=now, not_before=now,
                )
                session.add(row)
                session.flush()
                return Handled(failed=True, outbound_ids=(row.id,))
        except Exception:
            log.exception("could not record a failed turn")
            raise
