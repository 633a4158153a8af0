"""Every effect a flow can return has a handler in the app the composition root builds."""
from __future__ import annotations

import importlib
import pkgutil

import flows
from bot.bootstrap import build_app
from bot.settings import load_settings
from flows.base import Effect, GoTo


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_effect_has_a_handler(tmp_path):
    for module in pkgutil.walk_packages(flows.__path__, "flows."):
        importlib.import_module(module.name)
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{tmp_path}/effects.sqlite3"
    app = build_app(settings)
    try:
        handled = set(app.dispatcher.effect_handlers) | {GoTo}   # GoTo: the dispatcher follows it itself
        missing = sorted(e.__qualname__ for e in _subclasses(Effect) if e.__module__.startswith("flows.")
                         and e not in handled)
    finally:
        app.close()
    assert missing == [], f"effects without a handler: {missing}"
