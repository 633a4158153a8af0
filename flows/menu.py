"""The main menu: what the service can do, listing only the flows that exist."""
from __future__ import annotations

from dataclasses import dataclass

from flows.asset_query import parse_query
from flows.base import Ask, Begin, Choice, Flow, FlowContext, FlowState, GoTo, Say, Text, Transition

CONFIDENT = 0.6


@dataclass(frozen=True)
class MenuState(FlowState):
    # A referral source code that came with the person, passed on to the flow they choose.
    source: str = ""


# Offered only when it means something: withdrawing consent before any was given does not.
NEEDS_CONSENT = {"withdraw_consent"}


def _menu(ctx: FlowContext, key: str = "menu.prompt") -> Ask:
    consented = ctx.person.get("consented")
    return Ask(key, tuple(o for o in ctx.menu if consented or o.value not in NEEDS_CONSENT))


def _route(intent: str, ctx: FlowContext) -> str | None:
    return ctx.intent_routes.get(intent)


def _search_from_words(text: str, ctx: FlowContext) -> Transition | None:
    """Straight to the search when the words name an activity, whatever the NLU made of them."""
    if parse_query(text).is_search() and (flow := _route("find_activity", ctx)):
        return Transition(None, effects=[GoTo(flow, {"from_menu": False, "text": text})])
    return None


def begin(event, ctx: FlowContext) -> Transition:
    payload = event.payload if isinstance(event, Begin) else {}
    intent, source = payload.get("intent", ""), payload.get("source") or ""
    text = str(payload.get("text") or "")
    # Someone who came with a referral source code (a GP's link) has come to be referred.
    if flow := _route(intent, ctx) or (_route("self_refer", ctx) if source else None):
        return Transition(None, effects=[GoTo(flow, {"from_menu": False, "text": text, "source": source})])
    if text and (search := _search_from_words(text, ctx)):
        # A first message "walking group in Wrexham" is answered once the language is settled.
        return search
    return Transition(MenuState(step="choose", source=source), replies=[_menu(ctx)])


def step(state: MenuState, event, ctx: FlowContext) -> Transition:
    match event:
        case Choice(value) if any(o.value == value for o in ctx.menu):
            return Transition(None, effects=[GoTo(value, {"from_menu": True, "source": state.source})])
        case Text(text, parse) if parse.confidence >= CONFIDENT and (flow := _route(parse.intent, ctx)):
            return Transition(None, effects=[GoTo(flow, {"from_menu": False, "text": text,
                                                         "source": state.source})])
        case Text(text, _) if search := _search_from_words(text, ctx):
            # "walking group in Wrexham": an activity word is enough, whatever the NLU made of it.
            return search
        case Text(_, parse) if parse.intent == "greet":
            return Transition(state, replies=[_menu(ctx, "menu.greeting")])
        case Text(_, parse) if parse.intent == "thanks":
            return Transition(state, replies=[Say("menu.you_are_welcome")])
        case Text(_, parse) if parse.intent == "goodbye":
            return Transition(state, replies=[Say("menu.goodbye")])
        case _:
            return Transition(state, replies=[Say("menu.not_understood"), _menu(ctx)])


def prompt(state: MenuState, ctx: FlowContext):
    return (_menu(ctx),)


FLOW = Flow(name="menu", state_type=MenuState, begin=begin, step=step, prompt=prompt)
