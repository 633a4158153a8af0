"""Shared NLU fixtures: one embedded backend per test session."""
from __future__ import annotations

import pytest

from bot.nlu_backends import cache_dir
from bot.settings import load_settings
from nlu.embedded import EmbeddedBackend


@pytest.fixture(scope="session")
def embedded() -> EmbeddedBackend:
    """The models in the cache every test's app reads (nlu.cache_dir's default; keyed by a hash of the
    training data, so a change retrains them), not trained again for the session: training, the
    cache and its keys are tested in test_embedded.py with caches of their own."""
    backend = EmbeddedBackend(cache_dir(load_settings(environ={})))
    backend.warm_up()
    return backend
