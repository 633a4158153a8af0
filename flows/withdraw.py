"""Withdrawing consent: from the menu or by saying "withdraw consent" / "tynnu caniatâd yn ôl"."""
from __future__ import annotations

from dataclasses import dataclass

from flows.base import Ask, Effect, Flow, FlowContext, FlowState, GoTo, Option, Say, Transition
from flows.consent import RecordConsent
from flows.yes_no import read_yes_no

NAME = "withdraw_consent"
OPTIONS = (Option("yes", "referral.withdraw_option_yes"), Option("no", "referral.withdraw_option_no"))


@dataclass(frozen=True)
class ForgetReferrals(Effect):
    """Clear what the person told us in their referrals and close any still open."""


@dataclass(frozen=True)
class WithdrawState(FlowState):
    pass


def _ask() -> Ask:
    return Ask("referral.withdraw_confirm", OPTIONS)


def begin(event, ctx: FlowContext) -> Transition:
    if not ctx.person.get("consented"):
        return Transition(None, replies=[Say("referral.withdraw_nothing")], effects=[GoTo("menu")])
    return Transition(WithdrawState(step="confirm"), replies=[_ask()])


def step(state: WithdrawState, event, ctx: FlowContext) -> Transition:
    answer = read_yes_no(event)
    if answer is True:
        return Transition(None, replies=[Say("referral.withdrawn")],
                          effects=[RecordConsent(False), ForgetReferrals(), GoTo("menu")])
    if answer is False:
        return Transition(None, replies=[Say("referral.withdraw_kept")], effects=[GoTo("menu")])
    return Transition(state, replies=[_ask()])


def prompt(state: WithdrawState, ctx: FlowContext):
    return (_ask(),)


FLOW = Flow(name=NAME, state_type=WithdrawState, begin=begin, step=step, prompt=prompt,
            menu_label="referral.menu_withdraw", menu_order=80)
