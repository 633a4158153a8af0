"""The gentle check after a possible risk: "Are you safe right now?" (yes / no / talk to someone).

The safeguarding screen (bot/safeguarding.py) asks it when something a person wrote may be a
risk but is not a clear disclosure, holds the words that raised it (they may be the answer to
the question they were asked), sets the flow they were in aside, and puts them here.

- "safe": they go back to where they were and the held words are given to that flow, so
  nothing they said is lost;
- "not safe" or "talk to someone": the crisis reply and an urgent alert (the clear tier);
- no clear answer, twice: treated as no answer (the screen decides whether another signal makes
  it the clear tier); otherwise they carry on where they were.

The words an answer may use are data (config/safeguarding/check_answers.yml), given to the flow
as the resource `safety_check_answers`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence

from flows.base import Ask, Begin, Choice, Effect, Flow, FlowContext, FlowState, Option, Say, Text, Transition

NAME = "safety_check"
RESOURCE = "safety_check_answers"
SAFE, NOT_SAFE, TALK, UNANSWERED = "safe", "not_safe", "talk", "unanswered"
OPTIONS = (
    Option(SAFE, "safeguarding.check_option_safe"),
    Option(NOT_SAFE, "safeguarding.check_option_not_safe"),
    Option(TALK, "safeguarding.check_option_talk"),
)
# One gentle second asking; after that a person who is talking about something else is let be.
MAX_ASKS = 2
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class CheckAnswer(Effect):
    """The check is over: `answer` is safe, not_safe, talk or unanswered.

    `held_text` is what raised the check, for the flow they go back to; `paused` says whether a
    flow was set aside for them (else the held words go to their home flow, or the language offer).
    """

    answer: str
    held_text: str = ""
    paused: bool = False


@dataclass(frozen=True)
class SafetyCheckState(FlowState):
    held_text: str = ""
    paused_flow: str = ""
    asks: int = 1


def fold(text: str) -> str:
    """For comparing answers only: lower case, accents and curly apostrophes folded, no punctuation."""
    text = unicodedata.normalize("NFD", text.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(lambda m: "'" if m.group() == "'" else " ", text).split())


@dataclass(frozen=True)
class CheckAnswers:
    """The answer words, folded: kind -> entries (each a tuple of words)."""

    entries: Mapping[str, tuple[tuple[str, ...], ...]]

    @classmethod
    def from_lists(cls, words: Mapping[str, Sequence[str]]) -> "CheckAnswers":
        return cls({kind: tuple(tuple(fold(w).split()) for w in values if fold(w))
                    for kind, values in words.items()})

    def _says(self, kind: str, words: list[str]) -> bool:
        for entry in self.entries.get(kind, ()):
            if len(entry) == 1:
                if words[:1] == list(entry):
                    return True
            elif any(tuple(words[i:i + len(entry)]) == entry for i in range(len(words) - len(entry) + 1)):
                return True
        return False

    def read(self, text: str) -> str | None:
        """safe, not_safe or talk; None when the answer says none of them, or both safe and not."""
        words = fold(text).split()
        if not words:
            return None
        if self._says(TALK, words):
            return TALK
        safe, not_safe = self._says(SAFE, words), self._says(NOT_SAFE, words)
        if safe == not_safe:
            return None
        return SAFE if safe else NOT_SAFE


def ask(again: bool = False) -> Ask:
    return Ask("safeguarding.check_again" if again else "safeguarding.check", OPTIONS)


def begin(event, ctx: FlowContext) -> Transition:
    payload = event.payload if isinstance(event, Begin) else {}
    state = SafetyCheckState(step="asked", held_text=str(payload.get("held_text", "")),
                             paused_flow=str(payload.get("paused_flow", "")))
    return Transition(state, replies=[ask()])


def read(event, ctx: FlowContext) -> str | None:
    if isinstance(event, Choice) and event.value in (SAFE, NOT_SAFE, TALK):
        return event.value
    if isinstance(event, (Text, Choice)):
        answers: CheckAnswers = ctx.resources[RESOURCE]
        return answers.read(event.text)
    return None


def step(state: SafetyCheckState, event, ctx: FlowContext) -> Transition:
    answer = read(event, ctx)
    held = dict(held_text=state.held_text, paused=bool(state.paused_flow))
    if answer == SAFE:
        return Transition(None, replies=[Say("safeguarding.check_thanks")], effects=[CheckAnswer(SAFE, **held)])
    if answer in (NOT_SAFE, TALK):
        return Transition(None, effects=[CheckAnswer(answer, **held)])
    if state.asks < MAX_ASKS:
        return Transition(state.with_(asks=state.asks + 1), replies=[ask(again=True)])
    return Transition(None, effects=[CheckAnswer(UNANSWERED, **held)])


def prompt(state: SafetyCheckState, ctx: FlowContext):
    return (ask(again=True),)


FLOW = Flow(name=NAME, state_type=SafetyCheckState, begin=begin, step=step, prompt=prompt)
