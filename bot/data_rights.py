"""Data rights in conversation: "delete my data" / "dileu fy nata" from anyone, at any point."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.dispatcher import Turn
from bot.logging_setup import mask_address
from bot.person_facts import FactColumns
from flows.base import Ask, FlowContext, GoTo, Option, Say, Transition, regarding
from flows.practitioner import PractitionerAnswer, action_value
from flows.rights import RequestErasure
from storage.models import ErasureRequest, Person, Practitioner
from storage.rights import blank_old_content, cancel_request, erase

ACTION = "erase"

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
    """Record the request once, and ask the linked practitioners to confirm it in their chat."""
    pending = turn.session.scalar(select(ErasureRequest).where(
        ErasureRequest.person_id == turn.person.id, ErasureRequest.status == "pending"))
    if pending is not None:
        return
    request = ErasureRequest(person_id=turn.person.id, channel=turn.message.channel,
                             status="pending", requested_at=turn.now)
    turn.session.add(request)
    turn.session.flush()
    # Only the masked address goes into the chat: the practitioner looks the person up in the case system.
    ask = Ask("rights.practitioner.request", (
        Option(action_value(ACTION, request.id, "confirm"), "rights.practitioner.confirm"),
        Option(action_value(ACTION, request.id, "later"), "rights.practitioner.later"),
        Option(action_value(ACTION, request.id, "cancel"), "rights.practitioner.cancel"),
    ), request=request.id, address=mask_address(turn.message.address), channel=turn.message.channel)
    ask = regarding(ask, turn.person.id)
    practitioners = turn.session.scalars(select(Practitioner).where(
        Practitioner.active.is_(True), Practitioner.person_id.is_not(None), Practitioner.person_id != turn.person.id)
        .order_by(Practitioner.escalation_rank, Practitioner.id)).all()
    for practitioner in practitioners:
        person = turn.session.get(Person, practitioner.person_id)
        for address in person.addresses[:1]:
            turn.send_to(address.channel, address.address, ask, practitioner.language, person_id=person.id,
                         idempotency_key=f"erasure:{request.id}:{practitioner.id}")


def practitioner_answer(turn: Turn, practitioner: Practitioner, answer: PractitionerAnswer) -> None:
    """A practitioner confirmed (or put off) an erasure request from their chat."""
    request = turn.session.get(ErasureRequest, int(answer.target)) if answer.target.isdigit() else None
    if request is None or request.status != "pending" or request.person_id is None:
        turn.reply(Say("rights.practitioner.gone", request=answer.target))
        return
    if answer.verb == "confirm":
        person = turn.session.get(Person, request.person_id)
        erase(turn.session, person, turn.now)
        turn.reply(Say("rights.practitioner.erased", request=request.id))
    elif answer.verb == "cancel":
        cancel_request(turn.session, request.id, turn.now)
        turn.reply(Say("rights.practitioner.cancelled", request=request.id))
    else:
        turn.reply(Say("rights.practitioner.waiting", request=request.id))


# Whether the person has asked for erasure and it waits for a practitioner.
facts = FactColumns(
    lambda person_id: {"pending": exists().where(ErasureRequest.person_id == person_id,
                                                 ErasureRequest.status == "pending")},
    lambda values: {"erasure_pending": bool(values["pending"])},
)


def retention_job(days: int) -> Callable[[Session, datetime], None]:
    """Due work: blank message text older than `days` (privacy.message_retention_days)."""
    def run(session: Session, now: datetime) -> None:
        blank_old_content(session, now, days)
    return run
