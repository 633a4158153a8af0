"""The outbox: replies and scheduled messages are rows, sent after the transaction commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from storage.models import OutboundMessage, Person


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None = None


class Transport(Protocol):
    """Hands one message to a provider (Telegram, Twilio, the console)."""

    def send(self, message: OutboundMessage) -> SendResult: ...


def deliver_due(sessions: sessionmaker, transport: Transport, now: datetime,
                channel: str | None = None, address: str | None = None) -> list[OutboundMessage]:
    """Send every queued message that is due, oldest first; returns those sent.

    The opt-out flag is read now, at send time, not when the row was queued.
    """
    sent: list[OutboundMessage] = []
    with sessions.begin() as session:
        query = (
            select(OutboundMessage, Person.opted_out)
            .outerjoin(Person, Person.id == OutboundMessage.person_id)
            .where(OutboundMessage.status == "queued", OutboundMessage.not_before <= now)
            .order_by(OutboundMessage.id)
        )
        if channel is not None:
            query = query.where(OutboundMessage.channel == channel)
        if address is not None:
            query = query.where(OutboundMessage.address == address)
        for row, opted_out in session.execute(query).all():
            if opted_out and not row.ignore_opt_out:
                row.status = "suppressed"
                continue
            result = transport.send(row)
            row.status = "sent"
            row.sent_at = now
            row.attempts += 1
            row.provider_id = result.provider_id
            sent.append(row)
    return sent
