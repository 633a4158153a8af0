"""Shared NLU fixtures: one embedded backend per test session, trained into a temporary cache."""
from __future__ import annotations

import pytest

from nlu.embedded import EmbeddedBackend


@pytest.fixture(scope="session")
def embedded(tmp_path_factory) -> EmbeddedBackend:
    backend = EmbeddedBackend(tmp_path_factory.mktemp("nlu-cache"))
    backend.warm_up()
    return backend
