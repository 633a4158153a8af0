"""Provider delivery statuses (Twilio status callbacks): idempotent, furthest-along wins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.channels.twilio_api import UNDELIVERABLE, lower_statuses, status_rank
from storage.models import DeliveryStatus, OutboundMessage, PersonAddress

FINAL_FAILURES = {"failed", "undelivered"}


def record_status(session: Session, channel: str, provider_id: str, status: str, error_code: str | None,
                  now: datetime, address: str | None = None) -> None:
    """Store a reported status unless a further-along one is already stored.

    Callbacks arrive in any order and may repeat; each statement only ever moves a status
    forwards, so concurrent callbacks for one message settle on the furthest one.
    """
    status = status.lower()[:16]
    rank = status_rank(status)
    error_code = (error_code or None) and str(error_code)[:16]
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    inserted = session.execute(
        insert(DeliveryStatus)
        .values(channel=channel, provider_id=provider_id, status=status, rank=rank, error_code=error_code,
                updated_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        .returning(DeliveryStatus.id)
    ).scalar()
    if inserted is None:
        session.execute(
            update(DeliveryStatus)
            .where(DeliveryStatus.channel == channel, DeliveryStatus.provider_id == provider_id,
                   DeliveryStatus.rank < rank)
            .values(status=status, rank=rank, error_code=error_code, updated_at=now)
        )
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.channel == channel, OutboundMessage.provider_id == provider_id,
               or_(OutboundMessage.provider_status.is_(None),
                   OutboundMessage.provider_status.in_(lower_statuses(status))))
        .values(provider_status=status)
        .execution_options(synchronize_session=False)
    )
    if status in FINAL_FAILURES and error_code and error_code.isdigit() and int(error_code) in UNDELIVERABLE \
            and address:
        session.execute(
            update(PersonAddress)
            .where(PersonAddress.channel == channel, PersonAddress.address == address)
            .values(unreachable_at=now)
        )
