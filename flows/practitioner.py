"""A practitioner's side of the chat: answering referrals, alerts and nudges by button or text.

Buttons sent to practitioners carry values "<action>:<target>:<verb>" (e.g. "alert:12:ack").
The flow turns each into a PractitionerAnswer effect; the feature that owns the action handles it
and may answer with NeedText when it wants a typed reply (e.g. a reason), which the next message
then supplies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flows.base import Ask, Begin, Choice, Effect, Flow, FlowContext, FlowState, Say, Text, Transition
from flows.close_command import close_command

LIST_WORDS = {"list", "rhestr", "/list", "/rhestr"}


@dataclass(frozen=True)
class PractitionerAnswer(Effect):
    action: str
    target: str
    verb: str
    text: str = ""


@dataclass(frozen=True)
class NeedText:
    """A handler's answer: ask the practitioner to type something for this action."""

    key: str
    awaiting: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PractitionerState(FlowState):
    awaiting: str = ""


def action_value(action: str, target: Any, verb: str) -> str:
    return f"{action}:{target}:{verb}"


def parse_action(value: str) -> tuple[str, str, str] | None:
    parts = value.split(":", 2)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and parts[0] else None


def begin(event, ctx: FlowContext) -> Transition:
    name = event.payload.get("name", "") if isinstance(event, Begin) else ""
    return Transition(PractitionerState(step="home"), replies=[Say("practitioner.linked", name=name)])


def step(state: PractitionerState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice(value) if (parsed := parse_action(value)):
            return Transition(state.with_(step="home", awaiting=""),
                              effects=[PractitionerAnswer(*parsed)])
        case NeedText(key, awaiting, params):
            return Transition(state.with_(step="awaiting", awaiting=awaiting), replies=[Ask(key, **params)])
        case Text(text) if (number := close_command(text, ctx.resources.get("answer_words", {})
                                                     .get("close_command", ()))) is not None:
            # Closing a case (bot/case_closing.py); the command words live in config/locale/*/answers/.
            return Transition(state.with_(step="home", awaiting=""),
                              effects=[PractitionerAnswer("close", str(number), "start")])
        case Text(text) if state.awaiting and text.strip():
            parsed = parse_action(state.awaiting)
            return Transition(state.with_(step="home", awaiting=""),
                              effects=[PractitionerAnswer(*parsed, text=text.strip())])
        case Text(text) if text.strip().casefold() in LIST_WORDS:
            return Transition(state, effects=[PractitionerAnswer("list", "", "show")])
        case _:
            return Transition(state, replies=[Say("practitioner.help")])


def prompt(state: PractitionerState, ctx: FlowContext):
    return (Say("practitioner.help"),)


FLOW = Flow(name="practitioner", state_type=PractitionerState, begin=begin, step=step, prompt=prompt)
