"""Data rights in conversation: "delete my data" / "dileu fy nata" from anyone, at any point."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dispatcher import Turn
from flows.base import FlowContext, GoTo, Transition
from flows.rights import RequestErasure
from storage.models import ErasureRequest, Person
from storage.rights import blank_old_content

# Said anywhere in a message; the flow asks to confirm, so a stray match costs one question.
PHRASES = (
    "delete my data", "delete my details", "delete my information", "delete my account",
    "erase my data", "remove my data", "forget me",
    "dileu fy nata", "dileu fy data", "dilea fy nata", "dileu fy manylion", "dileu fy ngwybodaeth",
    "dilewch fy nata", "dilëwch fy nata",
)
_PUNCTUATION = re.compile(r"[^\w\s]")


def asks_for_erasure(text: str) -> bool:
    words = _PUNCTUATION.sub(" ", unicodedata.normalize("NFC", text or "").casefold())
    words = " ".join(words.split())
    return any(phrase in words for phrase in PHRASES)


def screen(turn: Turn, ctx: FlowContext) -> Transition | None:
    """Start the erasure request from any flow (after the safeguarding screens)."""
    if turn.message.choice is not None or not asks_for_erasure(turn.text):
        return None
    if turn.person.opted_out:
        # They said STOP, so no question is sent: the request goes straight to a practitioner.
        return Transition(None, effects=[RequestErasure()])
    return Transition(None, effects=[GoTo("rights")])


def request_erasure(turn: Turn, effect: RequestErasure) -> None:
    pending = turn.session.scalar(select(ErasureRequest).where(
        ErasureRequest.person_id == turn.person.id, ErasureRequest.status == "pending"))
    if pending is None:
        turn.session.add(ErasureRequest(person_id=turn.person.id, channel=turn.message.channel,
                                        status="pending", requested_at=turn.now))


def facts(session: Session, person: Person) -> Mapping[str, Any]:
    pending = session.scalar(select(ErasureRequest.id).where(
        ErasureRequest.person_id == person.id, ErasureRequest.status == "pending"))
    return {"erasure_pending": pending is not None}


def retention_job(days: int) -> Callable[[Session, datetime], None]:
    """Due work: blank message text older than `days` (privacy.message_retention_days)."""
    def run(session: Session, now: datetime) -> None:
        blank_old_content(session, now, days)
    return run
