"""The contract between the dispatcher and every flow: events in, a Transition out.

A flow is a module-level `Flow` value whose functions are pure: they receive the state,
the event and a small context (the time, the person's language and facts), and return
what should happen. They never send, commit, or read the clock.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from nlu.result import Parse

# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Text:
    """Free text the person sent, with what the NLU made of it."""

    text: str
    parse: Parse = Parse("out_of_scope", 0.0)


@dataclass(frozen=True)
class Choice:
    """An option the person picked: a button, its number, or its label."""

    value: str
    text: str = ""


@dataclass(frozen=True)
class Begin:
    """The flow is starting; `payload` carries e.g. a deep-link source code or the first words."""

    payload: Mapping[str, Any] = field(default_factory=dict)


Event = Text | Choice | Begin

# ---------------------------------------------------------------- replies


@dataclass(frozen=True)
class Option:
    """One choice offered to the person: `value` comes back in Choice; `label` is a catalog key."""

    value: str
    label: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # A catalog key for the typed command that does the same (e.g. "ACK {n}"), for channels
    # without buttons. An option with a command belongs to its own message: answering "1" does
    # not pick it (practitioners' items, flows/practitioner.py).
    command: str = ""


@dataclass(frozen=True)
class Reply:
    """A message to send, named by catalog key; the renderer picks language and channel form.

    `language` overrides the person's language: "cy", "en", or "cy+en" for one bilingual
    message with Welsh first (the Active Offer).
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    language: str | None = None
    # The people (person ids) whose data the message carries when it goes to someone else (a
    # practitioner): erasure redacts it and subject access shows it (storage/rights.py).
    about: tuple[int, ...] = field(default=(), compare=False)


def regarding(reply: Reply, *person_ids: int | None) -> Reply:
    """The reply, marked as carrying these people's data (None ids are left out)."""
    ids = tuple(dict.fromkeys(i for i in (*reply.about, *person_ids) if i is not None))
    return dataclasses.replace(reply, about=ids)


@dataclass(frozen=True)
class Labels:
    """A reply parameter that is a list of catalog keys, shown joined in the reply's language."""

    keys: tuple[str, ...] = ()


def Say(key: str, language: str | None = None, **params: Any) -> Reply:
    return Reply(key, params, (), language)


def Ask(key: str, options: tuple[Option, ...] | list[Option] = (), language: str | None = None,
        **params: Any) -> Reply:
    return Reply(key, params, tuple(options), language)


# ---------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class DataSetEvent:
    """Evidence for one Core Data Set statement (Appendix Five numbering)."""

    statement: int
    value: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Effect:
    """A durable side effect the dispatcher carries out in the same transaction.

    Subclasses name what should happen (set the language, create a referral, raise an
    alert); handlers for them are registered with the dispatcher.
    """


@dataclass(frozen=True)
class SetLanguage(Effect):
    language: str


@dataclass(frozen=True)
class GoTo(Effect):
    """Leave this flow and begin another (its Begin event gets `payload`)."""

    flow: str
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    """What one turn produced. `state` None means the flow has finished."""

    state: Any
    replies: tuple[Reply, ...] = ()
    events: tuple[DataSetEvent, ...] = ()
    effects: tuple[Effect, ...] = ()

    def __post_init__(self) -> None:
        for name in ("replies", "events", "effects"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


# ---------------------------------------------------------------- context and flows


@dataclass(frozen=True)
class FlowSettings:
    """What a flow may know of the settings: the service's own choices, never a secret or a URL."""

    default_language: str = "cy"


@dataclass(frozen=True)
class FlowContext:
    """Everything a flow may know about the world: the time, the person, the service."""

    now: datetime
    language: str
    channel: str
    person: Mapping[str, Any] = field(default_factory=dict)
    settings: FlowSettings = field(default_factory=FlowSettings)
    # The main menu's entries and which NLU intents start which flow (from the registry).
    menu: tuple[Option, ...] = ()
    intent_routes: Mapping[str, str] = field(default_factory=dict)
    # Read-only data the composition root loaded for flows (e.g. "questionnaires": {id: Questionnaire}).
    resources: Mapping[str, Any] = field(default_factory=dict)
    # The person wrote from a phone number (WhatsApp; SMS always): we have it, and need not ask for it.
    phone_known: bool = False


@dataclass(frozen=True)
class FlowState:
    """Base for flow states: frozen, JSON-serialisable dataclasses with a `step` name."""

    step: str = "start"

    def with_(self, **changes: Any) -> "FlowState":
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy walked every field of the state twice a turn, and
        # a state is frozen, its values JSON's own types (stored as they are).
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "FlowState":
        names = {f.name for f in dataclasses.fields(cls)}
        values = {}
        for key, value in data.items():
            if key in names:
                values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


@dataclass(frozen=True)
class Flow:
    """A named conversation flow.

    - `begin(event, ctx)`: start it (the event is a Begin, or the words that started it).
    - `step(state, event, ctx)`: one turn.
    - `prompt(state, ctx)`: the replies that ask again where the person is (after HELP, or
      when resuming a paused flow), so nothing asked is lost.
    - `menu_label`: a catalog key if the flow is offered in the main menu.
    - `intents`: NLU intents that start this flow from the menu or from free text.
    """

    name: str
    state_type: type[FlowState]
    begin: Callable[[Event, FlowContext], Transition]
    step: Callable[[Any, Event, FlowContext], Transition]
    prompt: Callable[[Any, FlowContext], tuple[Reply, ...]]
    menu_label: str | None = None
    intents: tuple[str, ...] = ()
    menu_order: int = 100
