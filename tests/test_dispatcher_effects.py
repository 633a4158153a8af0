"""Effects: a flow asks for something impure, a handler does it, and may answer the flow at once."""
from __future__ import annotations

from dataclasses import dataclass

from flows.base import Effect, Flow, FlowState, Text, Transition, Say, Ask
from flows.registry import FLOWS
from tests.support.conversation import ConversationDriver
from bot.dispatcher import Dispatcher


@dataclass(frozen=True)
class LookUp(Effect):
    word: str


@dataclass(frozen=True)
class Found:
    count: int


@dataclass(frozen=True)
class EchoState(FlowState):
    asked: str = ""


def _begin(event, ctx):
    return Transition(EchoState(step="ask"), replies=[Ask("menu.prompt")])


def _step(state, event, ctx):
    match event:
        case Text(text):
            return Transition(state.with_(step="looking", asked=text), effects=[LookUp(text)])
        case Found():
            return Transition(None, replies=[Say("menu.you_are_welcome")],
                              events=[], effects=[])
    return Transition(state)


ECHO = Flow("echo", EchoState, _begin, _step, lambda s, c: (), menu_label="menu.prompt", menu_order=1)


def test_a_handler_answer_reaches_the_flow_in_the_same_turn(app):
    seen = []

    def look_up(turn, effect: LookUp):
        seen.append(effect.word)
        return Found(3)

    flows = {**FLOWS, "echo": ECHO}
    app.dispatcher = Dispatcher(sessions=app.sessions, nlu=app.dispatcher.nlu, catalog=app.catalog,
                                clock=app.clock, settings=app.settings, flows=flows,
                                effect_handlers={LookUp: look_up})
    bot = ConversationDriver(app)
    bot.send("Helo")
    bot.send("2")
    bot.send("1")  # the echo flow is first in this menu
    bot.send("walking").expect("You're welcome")
    assert seen == ["walking"]
    assert bot.conversation().flow == "menu"
