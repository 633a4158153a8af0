"""Asking for one's data to be deleted: confirm, then a request waits for a practitioner."""
from __future__ import annotations

from dataclasses import dataclass

from flows.base import Ask, Effect, Flow, FlowContext, FlowState, Option, Say, Transition
from flows.yes_no import read_yes_no

OPTIONS = (Option("yes", "rights.erase.yes"), Option("no", "rights.erase.no"))


@dataclass(frozen=True)
class RequestErasure(Effect):
    """Record that the person asked for their data to be deleted (a practitioner confirms it)."""


@dataclass(frozen=True)
class RightsState(FlowState):
    pass


def begin(event, ctx: FlowContext) -> Transition:
    if ctx.person.get("erasure_pending"):
        return Transition(None, replies=[Say("rights.erase.already")])
    return Transition(RightsState(step="confirm"), replies=[Ask("rights.erase.confirm", OPTIONS)])


def step(state: RightsState, event, ctx: FlowContext) -> Transition:
    # "yes", "ydw", "ie", "no thanks", "nac ydw": read as everywhere else (flows/yes_no.py).
    answer = read_yes_no(event)
    if answer is True:
        return Transition(None, replies=[Say("rights.erase.requested")], effects=[RequestErasure()])
    if answer is False:
        return Transition(None, replies=[Say("rights.erase.cancelled")])
    return Transition(state, replies=prompt(state, ctx))


def prompt(state: RightsState, ctx: FlowContext):
    return (Ask("rights.erase.confirm", OPTIONS),)


FLOW = Flow(name="rights", state_type=RightsState, begin=begin, step=step, prompt=prompt,
            intents=("delete_my_data",))
