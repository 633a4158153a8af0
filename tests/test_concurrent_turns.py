"""Two turns for one person at once, as several web workers on PostgreSQL can hold them.

A turn locks the address it came from as it reads the person (`FOR UPDATE`), so a second
message from the same address waits for the first turn to commit and is then handled on the
state it left: one after the other, in the order they arrived. The conversation row is written once, at
the end of a turn, only if its version is still the one read (something else may have moved it
on: another of the person's addresses, due work); otherwise the turn is rolled back and run
again on the new state. Nothing is lost and nothing is handled twice.
"""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import select, text

from bot.messages import InboundMessage
from storage.models import Conversation, InboundMessage as InboundRow, OutboundMessage

ADDRESS = "+447700900555"


def _message(words: str) -> InboundMessage:
    return InboundMessage("sms", ADDRESS, words, uuid.uuid4().hex)


@pytest.fixture
def postgres_app(app):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("turns overlap only on PostgreSQL (SQLite deployments run one worker, one writer)")
    app.dispatcher.handle(_message("Hello"))
    app.dispatcher.handle(_message("English"))
    return app


def _version(app) -> int:
    with app.sessions() as session:
        return session.scalar(select(Conversation.version))


def _outbox_ids(app) -> list[int]:
    with app.sessions() as session:
        return list(session.scalars(select(OutboundMessage.id).order_by(OutboundMessage.id)))


def _statuses(app) -> dict[str, str]:
    with app.sessions() as session:
        return dict(session.execute(select(InboundRow.provider_id, InboundRow.status)).all())


def _wait_for_a_backend_waiting_on_a_lock(app, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with app.engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            connection.commit()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second turn never waited for the first")


def _bump_version(app) -> None:
    """Something other than a turn from this address moves the conversation on."""
    with app.engine.begin() as connection:
        connection.execute(text("UPDATE conversation SET version = version + 1"))


def test_two_messages_from_one_person_at_once_are_handled_one_after_the_other(postgres_app, monkeypatch):
    app = postgres_app
    dispatcher = app.dispatcher
    version, rows_before = _version(app), _outbox_ids(app)
    first, second = _message("help"), _message("menu")
    runs, results = [], {}
    inside_first, let_first_finish = threading.Event(), threading.Event()
    original_run = dispatcher.decide

    def run(turn, is_new):
        runs.append(turn.message.provider_id)
        if turn.message is first:
            inside_first.set()
            assert let_first_finish.wait(60)
        return original_run(turn, is_new)

    monkeypatch.setattr(dispatcher, "decide", run)
    threads = {m.provider_id: threading.Thread(target=lambda m=m: results.__setitem__(m.provider_id, dispatcher.handle(m)))
               for m in (first, second)}
    threads[first.provider_id].start()
    assert inside_first.wait(60)
    threads[second.provider_id].start()
    _wait_for_a_backend_waiting_on_a_lock(app)   # the second turn waits for the first's lock
    let_first_finish.set()
    for thread in threads.values():
        thread.join(60)
        assert not thread.is_alive()

    # The second turn read only after the first committed. (PostgreSQL re-reads only the locked
    # row after the wait, so the second may see the old conversation once, fail the version
    # check and run again: never before the first.)
    assert runs[0] == first.provider_id and set(runs[1:]) == {second.provider_id}
    one, two = results[first.provider_id], results[second.provider_id]
    assert not one.failed and not two.failed and one.outbound_ids and two.outbound_ids
    assert _outbox_ids(app)[len(rows_before):] == [*one.outbound_ids, *two.outbound_ids]
    assert _statuses(app)[first.provider_id] == _statuses(app)[second.provider_id] == "processed"
    assert _version(app) == version + 2


def test_a_turn_whose_conversation_moved_on_meanwhile_runs_again_on_the_new_state(postgres_app, monkeypatch):
    app = postgres_app
    dispatcher = app.dispatcher
    version, rows_before = _version(app), _outbox_ids(app)
    late = _message("menu")
    runs = []
    original_run = dispatcher.decide

    def run(turn, is_new):
        runs.append(turn.message.provider_id)
        if len(runs) == 1:
            _bump_version(app)
        return original_run(turn, is_new)

    monkeypatch.setattr(dispatcher, "decide", run)
    handled = dispatcher.handle(late)
    assert runs == [late.provider_id, late.provider_id]
    assert not handled.failed and handled.outbound_ids
    # The rolled-back attempt left no reply behind; the second left its own, once.
    assert _outbox_ids(app)[len(rows_before):] == list(handled.outbound_ids)
    assert _statuses(app)[late.provider_id] == "processed"
    assert _version(app) == version + 2


def test_a_conversation_that_keeps_moving_on_gives_a_stored_failed_turn_not_a_loop(postgres_app, monkeypatch):
    app = postgres_app
    dispatcher = app.dispatcher
    late = _message("menu")
    original_run = dispatcher.decide

    def run(turn, is_new):
        _bump_version(app)
        return original_run(turn, is_new)

    monkeypatch.setattr(dispatcher, "decide", run)
    handled = dispatcher.handle(late)
    assert handled.failed and handled.outbound_ids   # kept, and the person is told kindly
    assert _statuses(app)[late.provider_id] == "failed"
