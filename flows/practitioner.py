"""A practitioner's side of the chat: answering referrals, alerts, nudges and erasure requests.

Buttons sent to practitioners carry values "<action>:<target>:<verb>" (e.g. "alert:12:ack"); typed
commands ("ACK 12", "DERBYN 12", flows/practitioner_commands.py) mean the same. The flow turns
each into a PractitionerAnswer effect; the feature that owns the action handles it (and checks the
item is the practitioner's team's) and may answer with NeedText when it wants a typed reply (a
reason, or the confirmation of an erasure), which the next message then supplies.

Options never come from "the last message sent": a practitioner gets messages about many items,
and a bare number means an option of the one item waiting for an answer, or nothing (the
"number" action lists what is waiting, each with its command).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flows.base import Ask, Begin, Choice, Effect, Flow, FlowContext, FlowState, Option, Say, Text, Transition, regarding
from flows.practitioner_commands import BareNumber, Command, read_command
from flows.yes_no import read_yes_no

# The erasure action's verbs: "erase" asks for the confirmation, only "confirm" erases.
ERASE_ACTION, ASK_ERASE, CONFIRM_ERASE = "erase", "erase", "confirm"


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
    options: tuple[Option, ...] = ()
    about: tuple[int, ...] = ()  # the people whose data the question carries (erasure redacts it)


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


def _answer(state: PractitionerState, action: str, target: Any, verb: str, text: str = "") -> Transition:
    return Transition(state.with_(step="home", awaiting=""),
                      effects=[PractitionerAnswer(action, str(target), verb, text)])


def _command(state: PractitionerState, command: Command | BareNumber) -> Transition:
    if isinstance(command, BareNumber):
        return _answer(state, "number", "", str(command.number))
    action = command.action
    if action.action == "help":
        return Transition(state.with_(step="home", awaiting=""), replies=[Say("practitioner.commands")])
    if action.needs_number and command.number is None:
        # "ACK" without its number: the one alert waiting, if only one is; else what is waiting.
        return _answer(state, "number", "", "", text=f"{action.action}:{action.verb}")
    verb = f"{action.verb}_reason" if action.takes_text and command.text else action.verb
    return _answer(state, action.action, command.number or "", verb, command.text)


def _choice(state: PractitionerState, action: str, target: str, verb: str) -> Transition:
    if action == ERASE_ACTION and verb == CONFIRM_ERASE and state.awaiting != action_value(action, target, verb):
        # Erasure is never one tap: a confirm button not answering this chat's own question (an
        # old message's, or forged) only asks the question, which names the request.
        verb = ASK_ERASE
    return _answer(state, action, target, verb)


def step(state: PractitionerState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice(value) if (parsed := parse_action(value)):
            return _choice(state, *parsed)
        case NeedText(key, awaiting, params, options, about):
            return Transition(state.with_(step="awaiting", awaiting=awaiting),
                              replies=[regarding(Ask(key, options, **params), *about)])
        case Text(text) if (state.awaiting and not state.awaiting.startswith(f"{ERASE_ACTION}:")
                            and isinstance(read_command(text), BareNumber)):
            # A number typed in answer to this chat's own question (a count, an option's number)
            # answers that question. Erasure never takes a number.
            action, target, verb = parse_action(state.awaiting)
            return _answer(state, action, target, verb, text.strip())
        case Text(text) if (command := read_command(text)) is not None:
            # A command always means itself, even while a reason or a confirmation is awaited:
            # one mistyped reply must never leave the practitioner stuck.
            return _command(state, command)
        case Text(text) if state.awaiting and text.strip():
            action, target, verb = parse_action(state.awaiting)
            if action == ERASE_ACTION:
                if read_yes_no(event) is True:
                    return _answer(state, action, target, verb)
                return Transition(state.with_(step="home", awaiting=""),
                                  replies=[Say("practitioner.erase_not_confirmed", request=target)])
            return _answer(state, action, target, verb, text.strip())
        case _:
            return Transition(state.with_(step="home", awaiting=""), replies=[Say("practitioner.commands")])


def prompt(state: PractitionerState, ctx: FlowContext):
    return (Say("practitioner.commands"),)


FLOW = Flow(name="practitioner", state_type=PractitionerState, begin=begin, step=step, prompt=prompt)
