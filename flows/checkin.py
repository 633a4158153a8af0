"""A wellbeing check-in by message: validated questionnaires, one item per message.

The flow asks; the check-in service (bot/checkins.py) stores. Opening a check-in, storing an
answer and completing it are effects whose handlers answer straight back (CheckinOpened,
AnswerRecorded, CheckinGone), so the flow never asks the next item before the last answer is safe,
and a check-in that expired or was cancelled meanwhile is closed kindly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from flows.base import (
    Ask, Begin, Choice, Effect, Flow, FlowContext, FlowState, GoTo, Option, Reply, Say, Text, Transition,
)
from flows.questionnaires import DECLINED, SKIPPED, ANSWERED, Questionnaire
from flows.picks import is_back
from nlu import answers
from nlu.numbers import DECLINE, OUT_OF_RANGE, SKIP, VALUE, read_scale_answer

SKIP_VALUE = "skip"
DECLINE_VALUE = "decline"


# ---------------------------------------------------------------- effects and their answers


@dataclass(frozen=True)
class OpenCheckin(Effect):
    """Find the person's open check-in, or start one; answered with CheckinOpened."""

    source: str = "person"


@dataclass(frozen=True)
class RecordAnswer(Effect):
    checkin_id: int
    questionnaire: str
    item: str
    value: int | None
    status: str            # answered, skipped, declined


@dataclass(frozen=True)
class CompleteCheckin(Effect):
    checkin_id: int


@dataclass(frozen=True)
class CheckinOpened:
    """The check-in to ask: the items still to answer ("questionnaire.item"), in order, and those
    answered already (in an earlier sitting too), so BACK / NÔL after a pause reaches them."""

    checkin_id: int
    wave: str
    remaining: tuple[str, ...]
    total: int
    answered: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerRecorded:
    checkin_id: int
    questionnaire: str
    item: str


@dataclass(frozen=True)
class CheckinGone:
    """The check-in closed (expired, cancelled) while the person was in it."""


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class CheckinState(FlowState):
    checkin_id: int = 0
    wave: str = ""
    remaining: tuple[str, ...] = ()
    total: int = 0
    explained: bool = False        # the current item's scale has been explained once
    answered: tuple[str, ...] = ()  # items answered, in order: BACK / NÔL returns to them


def _questionnaires(ctx: FlowContext) -> Mapping[str, Questionnaire]:
    return ctx.resources.get("questionnaires", {})


def _current(state: CheckinState, ctx: FlowContext) -> tuple[Questionnaire, str] | None:
    if not state.remaining:
        return None
    qid, _, item = state.remaining[0].partition(".")
    questionnaire = _questionnaires(ctx).get(qid)
    if questionnaire is None or item not in {i.id for i in questionnaire.items}:
        return None
    return questionnaire, item


def _ask_item(state: CheckinState, ctx: FlowContext) -> Reply:
    questionnaire, item = _current(state, ctx)
    scale = questionnaire.scale_of(item)
    number = state.total - len(state.remaining) + 1
    if scale.kind == "options":
        options = [Option(str(v), questionnaire.option_key(scale.id, v)) for v in scale.options]
        if ctx.channel == "telegram":
            # Buttons for skip and prefer-not, after the numbered answers (1..N) so "1" still means the
            # first. On SMS the words (SKIP, PREFER NOT TO SAY) were given at the start: two lines less a text.
            options += [Option(SKIP_VALUE, "checkin.option_skip"), Option(DECLINE_VALUE, "checkin.option_decline")]
    elif ctx.channel == "telegram":
        # Buttons 0..10 on Telegram; on SMS eleven numbered lines would bury the question.
        options = [Option(str(n), "checkin.option_number", {"n": n}) for n in range(scale.low, scale.high + 1)]
    else:
        options = []
    return Ask(questionnaire.item_key(item), options, number=number, total=state.total)


def _first_of_questionnaire(state: CheckinState, ctx: FlowContext) -> bool:
    questionnaire, item = _current(state, ctx)
    return questionnaire.items[0].id == item


def _asking(state: CheckinState, ctx: FlowContext, resumed: bool = False) -> Transition:
    """Ask the current item (with its questionnaire's introduction when it is the first)."""
    if _current(state, ctx) is None:
        return Transition(None, replies=[Say("checkin.unavailable")])
    replies: list[Reply] = []
    if resumed:
        replies.append(Say("checkin.resuming", left=len(state.remaining)))
    if _first_of_questionnaire(state, ctx):
        questionnaire, _ = _current(state, ctx)
        replies.append(Say(questionnaire.intro_key()))
    replies.append(_ask_item(state, ctx))
    return Transition(state.with_(step="asking", explained=False), replies=replies)


# ---------------------------------------------------------------- the flow


def begin(event, ctx: FlowContext) -> Transition:
    payload = dict(event.payload) if isinstance(event, Begin) else {}
    if not ctx.person.get("consented"):
        # What they share is special-category data: consent is asked first, on its own.
        return Transition(None, effects=[GoTo("consent", {"then": "checkin", "then_payload": payload})])
    if ctx.person.get("end_of_support_open") and payload.get("source") != "end_of_support":
        # Their support has ended: the end-of-support questions come first, then the final check-in.
        return Transition(None, effects=[GoTo("end_of_support", {"source": payload.get("source", "person")})])
    return Transition(CheckinState(step="opening"), effects=[OpenCheckin(str(payload.get("source", "person")))])


def _opened(event: CheckinOpened, ctx: FlowContext) -> Transition:
    known = _questionnaires(ctx)
    remaining = tuple(r for r in event.remaining if r.partition(".")[0] in known)
    answered = tuple(a for a in event.answered if a.partition(".")[0] in known)
    state = CheckinState(step="asking", checkin_id=event.checkin_id, wave=event.wave,
                         remaining=remaining, total=event.total, answered=answered)
    if not event.checkin_id:
        return Transition(None)  # nothing open to follow on with (after the end-of-support questions)
    if not remaining:
        return Transition(None, replies=[Say("checkin.thanks")], effects=[CompleteCheckin(event.checkin_id)])
    resumed = len(remaining) < event.total
    replies = [] if resumed else [Say("checkin.starting", count=event.total)]
    asked = _asking(state, ctx, resumed=resumed)
    return Transition(asked.state, replies=[*replies, *asked.replies])


def _answer(state: CheckinState, value: int | None, status: str) -> Transition:
    qid, _, item = state.remaining[0].partition(".")
    return Transition(state.with_(step="recording"),
                      effects=[RecordAnswer(state.checkin_id, qid, item, value, status)])


def _not_understood(state: CheckinState, ctx: FlowContext) -> Transition:
    questionnaire, item = _current(state, ctx)
    if not state.explained:
        explain = Say(questionnaire.help_key(questionnaire.scale_of(item).id))
    else:
        explain = Say("checkin.not_understood")
    return Transition(state.with_(explained=True), replies=[explain, _ask_item(state, ctx)])


def step(state: CheckinState, event, ctx: FlowContext) -> Transition:
    """One turn of a check-in: an answer in, the next item (or thanks) out."""
    match event:
        case CheckinOpened():
            return _opened(event, ctx)
        case CheckinGone():
            return Transition(None, replies=[Say("checkin.closed")])
        case AnswerRecorded(checkin_id, qid, item) if state.remaining and state.remaining[0] == f"{qid}.{item}":
            moved = state.with_(remaining=state.remaining[1:], explained=False,
                                answered=(*state.answered, state.remaining[0]))
            if not moved.remaining:
                return Transition(None, replies=[Say("checkin.thanks")], effects=[CompleteCheckin(checkin_id)])
            return _asking(moved, ctx)
    if state.step == "opening" or _current(state, ctx) is None:
        # Nothing to answer (an old or broken state): open the check-in again.
        return Transition(CheckinState(step="opening"), effects=[OpenCheckin("resume")])
    if is_back(event):
        return _back(state, ctx)
    questionnaire, item = _current(state, ctx)
    scale = questionnaire.scale_of(item)
    match event:
        case Choice(value) if value == SKIP_VALUE:
            return _answer(state, None, SKIPPED)
        case Choice(value) if value == DECLINE_VALUE:
            return _answer(state, None, DECLINED)
        case Choice(value) if value.isdigit() and scale.low <= int(value) <= scale.high:
            return _answer(state, int(value), ANSWERED)
        case Text(text) if answers.said(text, "pause"):
            return Transition(None, replies=[Say("checkin.paused")])
        case Text(text):
            if scale.kind == "options" and (picked := scale.option_for_frequency(text)) is not None:
                return _answer(state, picked, ANSWERED)
            answer = read_scale_answer(text, scale.low, scale.high)
            if answer.kind == OUT_OF_RANGE:
                # "11" on 0-10: say what the scale is, kindly, rather than "didn't understand".
                return Transition(state.with_(explained=True), replies=[
                    Say("conversation.scale_out_of_range", value=answer.value, low=scale.low, high=scale.high),
                    _ask_item(state, ctx)])
            if answer.kind == VALUE:
                return _answer(state, answer.value, ANSWERED)
            if answer.kind == SKIP:
                return _answer(state, None, SKIPPED)
            if answer.kind == DECLINE:
                return _answer(state, None, DECLINED)
    return _not_understood(state, ctx)


def _back(state: CheckinState, ctx: FlowContext) -> Transition:
    """BACK / NÔL: the item before this one again, answered in this sitting or before a pause
    (CheckinOpened says which are stored); the new answer replaces the stored one."""
    if not state.answered:
        return Transition(state, replies=[Say("conversation.back_at_first"), _ask_item(state, ctx)])
    earlier = state.with_(remaining=(state.answered[-1], *state.remaining), answered=state.answered[:-1])
    return _asking(earlier, ctx)


def prompt(state: CheckinState, ctx: FlowContext) -> tuple[Reply, ...]:
    if state.step == "opening" or _current(state, ctx) is None:
        return (Say("checkin.resume_hint"),)
    return (_ask_item(state, ctx),)


FLOW = Flow(name="checkin", state_type=CheckinState, begin=begin, step=step, prompt=prompt,
            menu_label="checkin.menu_label", intents=("checkin",), menu_order=40)
