"""A remote NLU (Rasa) reads a message before the turn's transaction opens: a slow answer holds no
lock (row or SQLite writer) or connection. The embedded NLU, in process, reads it inside the turn (nlu/result.py)."""
from __future__ import annotations


def _watch(app) -> list[int]:
    parse, checked_out = app.dispatcher.nlu.parse, []

    def watching(text, lang):
        checked_out.append(app.engine.pool.checkedout())
        return parse(text, lang)

    app.dispatcher.nlu.parse = watching
    return checked_out


def test_a_remote_nlu_parses_with_no_connection_checked_out(bot, app):
    bot.speaking("en")
    checked_out = _watch(app)
    app.dispatcher.nlu.in_process = False   # as RasaBackend
    bot.send("I feel lonely").expect(options=True)
    assert checked_out == [0]


def test_a_remote_nlu_parses_without_the_sqlite_write_lock(bot, app):
    # The lock serialises SQLite's writers in one process; held over a slow Rasa, it would hold
    # back every other turn and the sender's records for as long.
    lock = app.write_lock
    assert lock is app.dispatcher.write_lock
    held = []
    parse = app.dispatcher.nlu.parse

    def watching(text, lang):
        held.append(lock.locked() if hasattr(lock, "locked") else False)
        return parse(text, lang)

    bot.speaking("en")
    app.dispatcher.nlu.parse = watching
    app.dispatcher.nlu.in_process = False
    bot.send("I feel lonely").expect(options=True)
    assert held == [False]
    if app.engine.dialect.name == "sqlite":
        assert hasattr(lock, "locked"), "SQLite's app has a real write lock"


def test_the_embedded_nlu_parses_once_inside_the_turn(bot, app):
    bot.speaking("en")
    checked_out = _watch(app)
    bot.send("I feel lonely").expect(options=True)
    assert checked_out == [1]
