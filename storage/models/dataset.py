"""Each score a data set event holds, one row per scored item, for the report's paired change (issue 17)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.dataset.scores import SCORE_INDEX
from storage.models.base import Base, UTCDateTime


class DataSetScore(Base):
    """One scored item of a questionnaire's data set event (statements in promoted.INSTRUMENTS).

    Written by the database itself when the event is inserted (a trigger made by migration
    0014_report_scores, storage/dataset/scores.py), so every way an event is recorded (the ORM, the
    dispatcher's executemany, a bulk COPY) writes its scores too. The event stays the record: these
    rows are copies of its numbers with ONS-4's four items one row each, so that the report pairs
    each person's baseline and follow-up from one narrow index instead of the events' JSON.
    """

    __tablename__ = "dataset_score"
    # The report's pairing reads this index alone: one measure's scores by person, baselines then follow-ups, in time order.
    __table_args__ = (Index("ix_dataset_score_pairing", *SCORE_INDEX),)

    event_id: Mapped[int] = mapped_column(ForeignKey("dataset_event.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(Text, primary_key=True)
    statement: Mapped[int] = mapped_column(Integer, nullable=False)
    instrument: Mapped[str] = mapped_column(Text, nullable=False)
    subject_key: Mapped[str] = mapped_column(String(32), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    baseline: Mapped[bool] = mapped_column(Boolean, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
