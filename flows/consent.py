"""Explicit consent to keep what a person shares (health-related, special-category data).

Asked on its own, before anything personal is stored, and never bundled with anything else.
A flow that needs consent begins this one with {"then": "<flow>"}; a yes carries on there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flows.base import (
    Ask, Begin, Choice, Effect, Flow, FlowContext, FlowState, GoTo, Option, Reply, Say, Text, Transition,
)
from flows.picks import is_back
from flows.yes_no import read_yes_no
from nlu import answers

OPTIONS = (
    Option("yes", "consent.option_yes"),
    Option("no", "consent.option_no"),
    Option("privacy", "consent.option_privacy"),
)


@dataclass(frozen=True)
class RecordConsent(Effect):
    given: bool


@dataclass(frozen=True)
class ConsentState(FlowState):
    then: str = ""
    then_payload: Mapping[str, Any] | None = None


def privacy_notice(settings) -> Reply:
    """The privacy notice: the controller and their contact (from settings), what is kept, rights, the ICO."""
    privacy = getattr(settings, "privacy", None)
    return Say("consent.privacy_notice", controller=getattr(privacy, "controller_name", "Cyswllt"),
               contact=getattr(privacy, "controller_contact", ""),
               days=getattr(privacy, "message_retention_days", 90))


def _ask() -> Ask:
    return Ask("consent.question", OPTIONS)


def begin(event, ctx: FlowContext) -> Transition:
    payload = event.payload if isinstance(event, Begin) else {}
    state = ConsentState(step="ask", then=payload.get("then", ""),
                         then_payload=dict(payload.get("then_payload") or {}))
    return Transition(state, replies=[_ask()])


def step(state: ConsentState, event, ctx: FlowContext) -> Transition:
    if isinstance(event, Choice) and event.value == "privacy" or (
        isinstance(event, Text) and answers.said(event.text, "privacy")
    ):
        return Transition(state, replies=[privacy_notice(ctx.settings), _ask()])
    if is_back(event):
        # BACK / NÔL as in every other flow: consent is asked on its own, so there is no question
        # before it to go back to; say so and ask it again (nothing is recorded either way).
        return Transition(state, replies=[Say("conversation.back_at_first"), _ask()])
    answer = read_yes_no(event)
    if answer is True:
        then = [GoTo(state.then, dict(state.then_payload or {}))] if state.then else [GoTo("menu")]
        return Transition(None, replies=[Say("consent.thanks")], effects=[RecordConsent(True), *then])
    if answer is False:
        return Transition(None, replies=[Say("consent.declined")],
                          effects=[RecordConsent(False), GoTo("menu")])
    return Transition(state, replies=[Say("consent.not_understood"), _ask()])


def prompt(state: ConsentState, ctx: FlowContext):
    return (_ask(),)


FLOW = Flow(name="consent", state_type=ConsentState, begin=begin, step=step, prompt=prompt)
