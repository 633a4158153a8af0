"""After a risk disclosure: a gentle check-in, then carry on with the paused flow or go to the menu.

The safeguarding screen (bot/safeguarding.py) sends the crisis reply, raises the alert, sets the
flow the person was in aside (Conversation.paused) and puts them here. Their next message that
is not itself a disclosure is answered kindly, and they choose whether to carry on.
"""
from __future__ import annotations

from dataclasses import dataclass

from flows.base import Ask, Begin, Choice, Effect, Flow, FlowContext, FlowState, GoTo, Option, Say, Transition
from flows.yes_no import read_yes_no

NAME = "safety"
OPTIONS = (Option("continue", "safeguarding.option_continue"), Option("menu", "safeguarding.option_menu"))


@dataclass(frozen=True)
class ResumePaused(Effect):
    """Take the most recently paused flow back up where it was, and ask its question again."""


@dataclass(frozen=True)
class DropPaused(Effect):
    """The person chose not to carry on: forget the paused flow."""


@dataclass(frozen=True)
class SafetyState(FlowState):
    # The flow set aside when they disclosed risk ("" if they were at the menu).
    paused_flow: str = ""


def _ask() -> Ask:
    return Ask("safeguarding.ask_continue", OPTIONS)


def begin(event, ctx: FlowContext) -> Transition:
    paused = event.payload.get("paused_flow", "") if isinstance(event, Begin) else ""
    return Transition(SafetyState(step="after_crisis", paused_flow=paused))


def step(state: SafetyState, event, ctx: FlowContext) -> Transition:
    if state.step == "after_crisis":
        # Their first words after the crisis reply: acknowledge them before anything else.
        if not state.paused_flow:
            return Transition(None, replies=[Say("safeguarding.checkin_menu")], effects=[GoTo("menu")])
        return Transition(state.with_(step="ask"), replies=[Say("safeguarding.checkin"), _ask()])
    answer = read_yes_no(event, yes_value="continue", no_value="menu")
    if isinstance(event, Choice) and event.value == "continue" or answer is True:
        return Transition(None, replies=[Say("safeguarding.resuming")], effects=[ResumePaused()])
    if isinstance(event, Choice) and event.value == "menu" or answer is False:
        return Transition(None, effects=[DropPaused(), GoTo("menu")])
    return Transition(state, replies=[_ask()])


def prompt(state: SafetyState, ctx: FlowContext):
    return (_ask(),) if state.paused_flow else (Say("safeguarding.checkin_menu"),)


FLOW = Flow(name=NAME, state_type=SafetyState, begin=begin, step=step, prompt=prompt)
