"""The NLU reads a message before the turn's transaction opens: a slow NLU holds no lock or connection."""
from __future__ import annotations


def test_the_nlu_parses_with_no_connection_checked_out(bot, app):
    bot.speaking("en")
    parse, checked_out = app.dispatcher.nlu.parse, []

    def watching(text, lang):
        checked_out.append(app.engine.pool.checkedout())
        return parse(text, lang)

    app.dispatcher.nlu.parse = watching
    bot.send("I feel lonely").expect(options=True)
    assert checked_out == [0]
