"""What every NLU backend returns for one message."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

INTENTS = (
    "greet", "goodbye", "thanks", "affirm", "deny", "choose_welsh", "choose_english",
    "self_refer", "find_activity", "help", "talk_to_person", "stop", "start", "risk",
    "out_of_scope",
)


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Parse:
    intent: str
    confidence: float
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    def entity(self, name: str) -> str | None:
        """The canonical value of the first entity with this name, if any."""
        return next((e.value for e in self.entities if e.entity == name), None)


class NLUBackend(Protocol):
    """Anything that can turn a message in a known language into a Parse. Never raises.

    A backend that parses in this process, in well under a millisecond, says so with a true
    `in_process` attribute: the dispatcher then parses inside the turn, where the person's language
    is known. Any other (Rasa over HTTP) is asked before the turn's transaction opens, so that a
    slow answer holds no row lock and no pooled connection."""

    def parse(self, text: str, lang: str) -> Parse: ...
