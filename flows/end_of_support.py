"""The end-of-support conversation: how the support went, by message, one question at a time.

Started when a practitioner closes a case (bot/case_closing.py) or when a case reaches its final
wave unclosed; the person starts it with CHECKIN / LLES like a check-in. Every question can be
skipped; LATER pauses, and opening it again asks only what is still unanswered (the answers are
stored one by one by the effect handlers, which answer straight back, as for check-ins).

Questions and the Core Data Set statements they evidence (docs/dataset/end-of-support.md):
  satisfaction  94  the NHS Friends and Family Test question and its five-point scale
  information   72  agreement (five-point Likert) with "I got the right information and advice..."
  influence     70  agreement with "I had a say in the decisions about my support"
  goal:<theme>  82  how far towards each of their own 'What Matters' themes, 0-10 (Goal-Based Outcomes)
  activities    83  agreement with "The activities I went to helped with what mattered to me"
  changes       1, 79, 74  new skills / started volunteering / know more about support (pick any)
  difference    97  "What difference has it made?" in their own words (text: never in the data set)
  quote         97  may we quote that anonymously? (asked only when they wrote something)
When it ends, a final check-in still open (the longer tools at the final wave) follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flows.base import (
    Ask, Choice, DataSetEvent, Effect, Flow, FlowContext, FlowState, GoTo, Option, Reply, Say, Text,
    Transition,
)
from flows.picks import is_exactly, is_skip, read_picks
from flows.yes_no import read_yes_no
from nlu import answers
from nlu.numbers import DECLINE, SKIP, VALUE, read_scale_answer

NAME = "end_of_support"
SKIP_OPTION = Option("skip", "eos.option_skip")
DIFFERENCE_LIMIT = 1000
# Themes asked about by name (flows/referral.py THEMES); others fall back to the general question.
THEMES = ("lonely", "active", "mental", "money", "housing", "caring", "learning", "volunteering", "outdoors")
# The data set's theme names (flows/referral.py DATASET_THEMES, kept in step by a test).
DATASET_THEMES = {"lonely": "reduce_isolation", "active": "physical_activity", "mental": "mental_wellbeing",
                  "money": "money", "housing": "housing", "caring": "other", "learning": "learning",
                  "volunteering": "volunteering", "outdoors": "nature"}
MAX_GOALS = 3
SATISFACTION_STATEMENT, INFORMATION, INFLUENCE, PERSONAL_OUTCOMES = 94, 72, 70, 82
ACTIVITY_OUTCOMES, SKILLS, VOLUNTEERING, KNOWLEDGE, DIFFERENCE = 83, 1, 79, 74, 97


def questions_for(themes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The questions in order, with one 'how far' question per theme they gave (at most three)."""
    goals = [f"goal:{t}" for t in dict.fromkeys(themes) if t in THEMES][:MAX_GOALS] or ["goal:general"]
    return ("satisfaction", "information", "influence", *goals, "activities", "changes", "difference", "quote")


# ---------------------------------------------------------------- effects and their answers


@dataclass(frozen=True)
class OpenEndOfSupport(Effect):
    """Find the person's open end-of-support conversation; answered with EndOfSupportOpened or Gone."""


@dataclass(frozen=True)
class RecordEndAnswer(Effect):
    eos_id: int
    question: str
    value: Any          # an option value, a number, a list of picks, text, a bool; None when skipped
    status: str         # answered, skipped


@dataclass(frozen=True)
class CompleteEndOfSupport(Effect):
    eos_id: int


@dataclass(frozen=True)
class EndOfSupportOpened:
    eos_id: int
    remaining: tuple[str, ...]
    total: int


@dataclass(frozen=True)
class EndAnswerRecorded:
    eos_id: int
    question: str
    value: Any = None


@dataclass(frozen=True)
class EndOfSupportGone:
    """Nothing open to answer (never offered, already finished, or expired)."""


@dataclass(frozen=True)
class EndOfSupportDone:
    """Stored as finished; `final_checkin` when a final-wave check-in is waiting to follow."""

    final_checkin: bool = False


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class EndState(FlowState):
    eos_id: int = 0
    remaining: tuple[str, ...] = ()
    total: int = 0
    explained: bool = False


# Which group of answer words (config/locale/*/answers/table2.yml, nlu/answers.py) each question reads.
WORD_LISTS = {"satisfaction": "satisfaction", "information": "agreement", "influence": "agreement",
              "activities": "agreement", "changes": "changes"}


def _option_words(question: str) -> Mapping[str, tuple[str, ...]]:
    return answers.groups(WORD_LISTS.get(question, question))


# ---------------------------------------------------------------- asking


SATISFACTION_OPTIONS = (
    Option("very_good", "eos.opt.satisfaction.very_good"), Option("good", "eos.opt.satisfaction.good"),
    Option("neither", "eos.opt.satisfaction.neither"), Option("poor", "eos.opt.satisfaction.poor"),
    Option("very_poor", "eos.opt.satisfaction.very_poor"), Option("dont_know", "eos.opt.satisfaction.dont_know"),
)
AGREEMENT_OPTIONS = (
    Option("strongly_agree", "eos.opt.agreement.strongly_agree"), Option("agree", "eos.opt.agreement.agree"),
    Option("neither", "eos.opt.agreement.neither"), Option("disagree", "eos.opt.agreement.disagree"),
    Option("strongly_disagree", "eos.opt.agreement.strongly_disagree"),
)
NOT_APPLICABLE = Option("not_applicable", "eos.opt.agreement.not_applicable")
CHANGES_OPTIONS = (
    Option("skills", "eos.opt.changes.skills"), Option("volunteering", "eos.opt.changes.volunteering"),
    Option("knowledge", "eos.opt.changes.knowledge"), Option("none", "eos.opt.changes.none"),
)
QUOTE_OPTIONS = (Option("yes", "eos.option_yes"), Option("no", "eos.option_no"))
QUESTION_KEYS = {"satisfaction": "eos.q.satisfaction", "information": "eos.q.information",
                 "influence": "eos.q.influence", "activities": "eos.q.activities", "changes": "eos.q.changes",
                 "difference": "eos.q.difference", "quote": "eos.q.quote"}
GOAL_KEYS = {"lonely": "eos.q.goal.lonely", "active": "eos.q.goal.active", "mental": "eos.q.goal.mental",
             "money": "eos.q.goal.money", "housing": "eos.q.goal.housing", "caring": "eos.q.goal.caring",
             "learning": "eos.q.goal.learning", "volunteering": "eos.q.goal.volunteering",
             "outdoors": "eos.q.goal.outdoors", "general": "eos.q.goal.general"}


def _options(question: str) -> tuple[Option, ...]:
    match question:
        case "satisfaction":
            return SATISFACTION_OPTIONS + (SKIP_OPTION,)
        case "information" | "influence":
            return AGREEMENT_OPTIONS + (SKIP_OPTION,)
        case "activities":
            return AGREEMENT_OPTIONS + (NOT_APPLICABLE, SKIP_OPTION)
        case "changes":
            return CHANGES_OPTIONS + (SKIP_OPTION,)
        case "quote":
            return QUOTE_OPTIONS
    return (SKIP_OPTION,)


def _ask(state: EndState, ctx: FlowContext) -> Reply:
    question = state.remaining[0]
    number = state.total - len(state.remaining) + 1
    if question.startswith("goal:"):
        options: tuple[Option, ...] = ()
        if ctx.channel == "telegram":
            # Buttons 0..10 and Skip on Telegram; on SMS a numbered list would make "1" mean Skip.
            options = (*(Option(str(n), "checkin.option_number", {"n": n}) for n in range(11)), SKIP_OPTION)
        key = GOAL_KEYS.get(question[5:], GOAL_KEYS["general"])
        return Ask(key, options, number=number, total=state.total)
    return Ask(QUESTION_KEYS[question], _options(question), number=number, total=state.total)


def _asking(state: EndState, ctx: FlowContext, *before: Reply) -> Transition:
    return Transition(state.with_(step="asking", explained=False), replies=[*before, _ask(state, ctx)])


# ---------------------------------------------------------------- the flow


def begin(event, ctx: FlowContext) -> Transition:
    return Transition(EndState(step="opening"), effects=[OpenEndOfSupport()])


def _opened(event: EndOfSupportOpened, ctx: FlowContext) -> Transition:
    state = EndState(step="asking", eos_id=event.eos_id, remaining=event.remaining, total=event.total)
    if not event.remaining:
        return Transition(state.with_(step="finishing"), effects=[CompleteEndOfSupport(event.eos_id)])
    if len(event.remaining) < event.total:
        return _asking(state, ctx, Say("eos.resuming", left=len(event.remaining)))
    return _asking(state, ctx, Say("eos.starting", count=event.total))


def _record(state: EndState, value: Any, status: str = "answered") -> Transition:
    return Transition(state.with_(step="recording"),
                      effects=[RecordEndAnswer(state.eos_id, state.remaining[0], value, status)])


def _recorded(state: EndState, event: EndAnswerRecorded, ctx: FlowContext) -> Transition:
    remaining = state.remaining[1:]
    if event.question == "difference" and not event.value:
        remaining = tuple(q for q in remaining if q != "quote")  # nothing written: nothing to quote
    moved = state.with_(remaining=remaining)
    if not remaining:
        return Transition(moved.with_(step="finishing"), effects=[CompleteEndOfSupport(state.eos_id)])
    return _asking(moved, ctx)


def _again(state: EndState, ctx: FlowContext) -> Transition:
    key = "eos.not_understood" if state.explained else (
        "eos.help_number" if state.remaining[0].startswith("goal:") else "eos.help")
    return Transition(state.with_(explained=True), replies=[Say(key), _ask(state, ctx)])


def _answer(state: EndState, event, ctx: FlowContext) -> Transition:
    question = state.remaining[0]
    if isinstance(event, Text) and answers.said(event.text, "pause"):
        return Transition(None, replies=[Say("eos.paused")])
    if question == "quote":
        answer = read_yes_no(event)
        if answer is None and is_skip(event):
            answer = False  # not a yes: never quoted
        return _again(state, ctx) if answer is None else _record(state, answer)
    if is_skip(event):
        return _record(state, None, "skipped")
    if question == "difference":
        text = event.text.strip() if isinstance(event, Text) else ""
        return _record(state, text[:DIFFERENCE_LIMIT]) if text else _again(state, ctx)
    if question.startswith("goal:"):
        if isinstance(event, Choice) and event.value.isdigit() and 0 <= int(event.value) <= 10:
            return _record(state, int(event.value))
        if isinstance(event, Text):
            read = read_scale_answer(event.text, 0, 10)
            if read.kind == VALUE:
                return _record(state, read.value)
            if read.kind in (SKIP, DECLINE):
                return _record(state, None, "skipped")
        return _again(state, ctx)
    options = [o for o in _options(question) if o.value != "skip"]
    picks = read_picks(event, options, _option_words(question))
    if question == "changes" and picks:
        return _record(state, [] if "none" in picks else list(picks))
    if isinstance(event, Text) and len(picks) != 1:
        # A whole answer that is exactly one option's words beats a partial match of several.
        exact = [v for v, words in _option_words(question).items()
                 if is_exactly(event.text, words) and any(o.value == v for o in options)]
        picks = tuple(exact)
    if len(picks) == 1:
        return _record(state, picks[0])
    return _again(state, ctx)


def step(state: EndState, event, ctx: FlowContext) -> Transition:
    """One turn: an answer in, the next question (or thanks) out."""
    match event:
        case EndOfSupportOpened():
            return _opened(event, ctx)
        case EndOfSupportGone():
            return Transition(None, replies=[Say("eos.nothing_open")])
        case EndAnswerRecorded(_, question) if state.remaining and state.remaining[0] == question:
            return _recorded(state, event, ctx)
        case EndOfSupportDone(final_checkin):
            if final_checkin:
                return Transition(None, replies=[Say("eos.thanks_then_checkin")],
                                  effects=[GoTo("checkin", {"source": NAME})])
            return Transition(None, replies=[Say("eos.thanks")])
    if state.step in ("opening", "recording", "finishing") or not state.remaining:
        return Transition(EndState(step="opening"), effects=[OpenEndOfSupport()])
    return _answer(state, event, ctx)


def prompt(state: EndState, ctx: FlowContext) -> tuple[Reply, ...]:
    if state.step != "asking" or not state.remaining:
        return (Say("eos.resume_hint"),)
    return (_ask(state, ctx),)


# ---------------------------------------------------------------- the data set


def answer_events(question: str, value: Any, themes_to_dataset: Mapping[str, str] = DATASET_THEMES
                  ) -> list[DataSetEvent]:
    """The Core Data Set evidence one stored answer gives (never the text of 'what difference')."""
    if value is None and question not in ("difference",):
        return []
    match question:
        case "satisfaction":
            return [DataSetEvent(SATISFACTION_STATEMENT, {"scale": "fft", "rating": value})]
        case "information":
            return [DataSetEvent(INFORMATION, {"agreement": value})]
        case "influence":
            return [DataSetEvent(INFLUENCE, {"agreement": value})]
        case "activities":
            return [DataSetEvent(ACTIVITY_OUTCOMES, {"agreement": value})]
        case "changes":
            picked = set(value or ())
            return [DataSetEvent(SKILLS, {"learnt_skills": "skills" in picked}),
                    DataSetEvent(VOLUNTEERING, {"started_volunteering": "volunteering" in picked}),
                    DataSetEvent(KNOWLEDGE, {"knows_more": "knowledge" in picked})]
        case "difference":
            return [DataSetEvent(DIFFERENCE, {"answered": bool(value)})]
        case "quote":
            return []  # the consent is kept with the text, which never enters the data set
    if question.startswith("goal:"):
        theme = question[5:]
        event: dict[str, Any] = {"rater": "person", "score": value}
        if theme in themes_to_dataset:
            event["theme"] = themes_to_dataset[theme]
        return [DataSetEvent(PERSONAL_OUTCOMES, event)]
    return []


FLOW = Flow(name=NAME, state_type=EndState, begin=begin, step=step, prompt=prompt)
