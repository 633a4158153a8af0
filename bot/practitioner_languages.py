"""Which languages a practitioner reads: the one place alerts and escalation ask.

Until practitioners have a record of the languages they speak (branch `practitioner`), the
language they chose for their own messages stands for it: "cy" reads Welsh. Switch this
function, and only this one, when that record lands.
"""
from __future__ import annotations

from storage.models import Practitioner


def reads_welsh(practitioner: Practitioner) -> bool:
    return practitioner.language == "cy"
