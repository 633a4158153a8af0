"""A practitioner's LIST / RHESTR: what is waiting for them, gathered from every feature that has some."""
from __future__ import annotations

from typing import Any, Callable

from flows.base import Reply, Say
from flows.practitioner import PractitionerAnswer
from storage.models import Practitioner

# A feature's part of the list: (turn, practitioner) -> replies (none when it has nothing open).
ListSection = Callable[[Any, Practitioner], list[Reply]]


class PractitionerList:
    """The "list" practitioner action: each registered section adds its open items, in order."""

    def __init__(self) -> None:
        self.sections: list[ListSection] = []

    def add(self, section: ListSection) -> None:
        self.sections.append(section)

    def __call__(self, turn, practitioner: Practitioner, answer: PractitionerAnswer) -> None:
        replies = [reply for section in self.sections for reply in section(turn, practitioner)]
        for reply in replies or [Say("practitioner.nothing_open")]:
            turn.reply(reply)
        return None
