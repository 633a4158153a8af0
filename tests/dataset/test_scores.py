"""dataset_score: every questionnaire event's scores, copied by the database, and the pairs read from them.

The trigger (migration 0014_report_scores, storage/dataset/scores.py) must copy the same numbers
however an event is recorded (the ORM as referrals and closing do, a Core executemany as the
dispatcher does), skip what is not a number without refusing the event, and the migration's
backfill must copy the events already kept exactly as the trigger would. Both databases.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.report.query import Reader
from storage.dataset.period import Period
from storage.dataset.promoted import INSTRUMENTS
from storage.db import alembic_config, make_engine, upgrade
from storage.models import DataSetEvent, DataSetScore, Person
from storage.rights import erase, subject_access

X, Y = "x" * 32, "y" * 32
T = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)
# Each event, and the (item, baseline, score) rows it must leave in dataset_score.
RECORDED = [
    (91, {"instrument": "swemwbs", "wave": "baseline", "score": 21.5}, [("score", True, 21.5)]),
    (87, {"instrument": "ucla3", "wave": "12w", "score": 4}, [("score", False, 4.0)]),
    (93, {"instrument": "mhc_sf_social", "score": 12}, [("score", False, 12.0)]),          # no wave: a follow-up
    (91, {"instrument": "swemwbs", "wave": "baseline"}, []),                               # skipped
    (91, {"instrument": "swemwbs", "wave": "baseline", "score": "21"}, []),                # not a number
    (91, {"instrument": "swemwbs", "wave": "baseline", "score": True}, []),                # a boolean is not a score
    (64, {"instrument": "ons4", "wave": "baseline", "life_satisfaction": 7, "worthwhile": 6.5,
          "happiness": True, "anxiety": None, "other": 3}, [("life_satisfaction", True, 7.0),
                                                            ("worthwhile", True, 6.5)]),
    (64, {"instrument": "ons4", "wave": "6w", "anxiety": "2"}, []),
    (64, {"instrument": "ons4", "wave": "6w", "anxiety": 2}, [("anxiety", False, 2.0)]),
    (41, {"route": "self", "score": 3}, []),                                               # not a questionnaire
    (91, {"instrument": "swemwbs", "wave": "6w", "score": 0.1 + 0.2}, [("score", False, 0.1 + 0.2)]),
]


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _scores(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(DataSetScore.event_id, DataSetScore.item, DataSetScore.statement, DataSetScore.instrument,
                   DataSetScore.subject_key, DataSetScore.occurred_at, DataSetScore.baseline, DataSetScore.score)
            .order_by(DataSetScore.event_id, DataSetScore.item))]


def _expected(ids: list[int]) -> list[tuple]:
    out = []
    for event_id, (statement, value, rows) in zip(ids, RECORDED):
        for item, baseline, score in rows:
            out.append((event_id, item, statement, value["instrument"], X, T + timedelta(minutes=event_id),
                        baseline, score))
    return sorted(out, key=lambda r: (r[0], r[1]))


def _record_with_the_orm(engine) -> list[int]:
    with Session(engine) as session, session.begin():
        rows = [DataSetEvent(statement=statement, subject_key=X, value=value, occurred_at=T + timedelta(minutes=i + 1))
                for i, (statement, value, _) in enumerate(RECORDED)]
        for row in rows:
            session.add(row)
            session.flush()
        return [row.id for row in rows]


def test_the_orm_and_an_executemany_both_leave_each_score_once(engine):
    ids = _record_with_the_orm(engine)
    assert ids == list(range(1, len(RECORDED) + 1))
    assert _scores(engine) == _expected(ids)

    # As the dispatcher writes a turn's events: one Core executemany, the promoted columns left to their defaults.
    with engine.begin() as connection:
        connection.execute(delete(DataSetEvent.__table__))
        connection.execute(insert(DataSetEvent.__table__), [
            {"statement": statement, "subject_key": X, "value": value, "occurred_at": T + timedelta(minutes=i),
             "channel": "sms", "language": "cy", "source": "checkin"}
            for i, (statement, value, _) in enumerate(RECORDED, start=1)])
        ids = connection.execute(select(DataSetEvent.id).order_by(DataSetEvent.occurred_at)).scalars().all()
    expected = [(ids[event_id - 1], *rest) for event_id, *rest in _expected(list(range(1, len(RECORDED) + 1)))]
    assert _scores(engine) == expected


def test_every_questionnaire_the_report_pairs_is_copied(engine):
    """The trigger was made from promoted.INSTRUMENTS when its migration ran: a questionnaire added
    there later needs a migration that makes the trigger again and backfills it (scores.py)."""
    with Session(engine) as session, session.begin():
        for statement, items in INSTRUMENTS.items():
            session.add(DataSetEvent(statement=statement, subject_key=X, occurred_at=T,
                                     value={"instrument": f"q{statement}", "wave": "baseline",
                                            **{item: 5 for item in items}}))
    assert sorted((r[2], r[1]) for r in _scores(engine)) == sorted(
        (statement, item) for statement, items in INSTRUMENTS.items() for item in items)


def test_an_event_whose_value_is_not_an_object_is_recorded_with_no_scores(engine):
    with Session(engine) as session, session.begin():
        session.add(DataSetEvent(statement=64, subject_key=X, value=[1, 2], occurred_at=T))
        session.add(DataSetEvent(statement=91, subject_key=X, value=[], occurred_at=T))
    with engine.connect() as connection:
        assert connection.execute(select(DataSetEvent.id)).all()
    assert _scores(engine) == []


def _migrate(engine, revision: str, down: bool) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migration_copies_the_scores_of_the_events_already_kept(engine):
    # Back to just before this table's migration (whatever it follows once the heads are chained).
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0014_report_scores").down_revision
    _migrate(engine, before, down=True)
    try:
        ids = _record_with_the_orm(engine)      # no trigger and no dataset_score yet
    finally:
        upgrade(engine)
    assert _scores(engine) == _expected(ids)
    # and the trigger is back for new events
    with Session(engine) as session, session.begin():
        session.add(DataSetEvent(statement=87, subject_key=Y, value={"instrument": "ucla3", "wave": "baseline",
                                                                     "score": 9}, occurred_at=T))
    assert [r for r in _scores(engine) if r[4] == Y] == [(len(ids) + 1, "score", 87, "ucla3", Y, T, True, 9.0)]


def test_deleting_an_event_deletes_its_scores(engine):
    _record_with_the_orm(engine)
    with engine.begin() as connection:
        connection.execute(delete(DataSetEvent.__table__).where(DataSetEvent.__table__.c.statement == 64))
    assert {r[2] for r in _scores(engine)} == {91, 87, 93}


PERIOD = Period.of_days(date(2026, 3, 2), date(2026, 3, 15), "Europe/London")


def test_pairs_take_the_earlier_recorded_of_two_at_the_same_moment_and_keep_every_digit(engine):
    """Ties in time go to the lower id (the earlier recorded), on both sides; scores come back exact."""
    rows = [
        (91, X, datetime(2026, 1, 5, 9, tzinfo=timezone.utc), "baseline", 10.0),
        (91, X, datetime(2026, 1, 5, 9, tzinfo=timezone.utc), "baseline", 30.0),     # same moment, later id
        (91, X, datetime(2026, 3, 10, 9, tzinfo=timezone.utc), "6w", 0.1 + 0.2),
        (91, X, datetime(2026, 3, 10, 9, tzinfo=timezone.utc), "6w", 99.0),          # same moment, later id
        (91, X, datetime(2026, 3, 20, 9, tzinfo=timezone.utc), "12w", 35.0),         # after the period
        (91, Y, datetime(2026, 3, 12, 9, tzinfo=timezone.utc), "6w", 20.0),          # a follow-up ...
        (91, Y, datetime(2026, 3, 13, 9, tzinfo=timezone.utc), "baseline", 10.0),    # ... before the baseline
        (91, Y, datetime(2026, 3, 3, 9, tzinfo=timezone.utc), "6w", 15.0),
    ]
    with Session(engine) as session, session.begin():
        for statement, subject, moment, wave, score in rows:
            session.add(DataSetEvent(statement=statement, subject_key=subject, occurred_at=moment,
                                     value={"instrument": "swemwbs", "wave": wave, "score": score}))
            session.flush()
    with engine.connect() as connection:
        reader = Reader(connection, PERIOD)
        measures = reader.measures(PERIOD.end)
        pairs = reader.pairs(measures)
    assert measures == [(91, "swemwbs", "score")]
    [pair] = pairs[(91, "swemwbs", "score")]
    assert (pair.subject, pair.baseline, pair.follow_up) == (X, 10.0, 0.1 + 0.2)


def test_scores_are_pseudonymous_like_the_events_they_copy(engine):
    """Subject access shows a person's scores; erasure keeps them, as it keeps their events, unlinked."""
    with Session(engine) as session, session.begin():
        person = Person(pseudonym=X, created_at=T)
        session.add(person)
        session.flush()
        for statement, value, _ in RECORDED:
            session.add(DataSetEvent(statement=statement, subject_key=X, person_id=person.id, value=value,
                                     occurred_at=T))
        person_id = person.id
    before = _scores(engine)
    assert len(before) == sum(len(rows) for *_, rows in RECORDED)
    with Session(engine) as session, session.begin():
        held = subject_access(session, session.get(Person, person_id))["tables"]
        assert sorted((r["event_id"], r["item"]) for r in held["dataset_score"]) == [(r[0], r[1]) for r in before]
        erase(session, session.get(Person, person_id), T)
    assert _scores(engine) == before
    with engine.connect() as connection:
        assert connection.execute(select(Person.id)).all() == []
        assert connection.execute(select(DataSetEvent.person_id).distinct()).scalars().all() == [None]
