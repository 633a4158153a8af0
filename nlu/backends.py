"""Choosing the NLU backend named in the settings."""
from __future__ import annotations

from nlu.result import NLUBackend, Parse


class NoIntentNLU:
    """Reads no intents (every message is out of scope); keywords and options still work."""

    def parse(self, text: str, lang: str) -> Parse:
        return Parse("out_of_scope", 0.0)


def build_nlu(settings) -> NLUBackend:
    return NoIntentNLU()
