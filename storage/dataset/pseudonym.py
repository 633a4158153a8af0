"""Keyed pseudonyms for exports: the same person gets the same code in every export with the same key."""
from __future__ import annotations

import hashlib
import hmac

KEY_VARIABLE = "CYSWLLT_DATASET_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16


class PseudonymKeyError(Exception):
    """The export secret is missing or too short; the message names the variable."""


class Pseudonymiser:
    """HMAC-SHA256 of the stored subject key under a secret only the data controller holds.

    The stored `subject_key` is already random, but a second keyed hash means an export
    cannot be joined back to the live database by anyone without the secret.
    """

    def __init__(self, key: str):
        if len(key) < MIN_KEY_LENGTH:
            raise PseudonymKeyError(
                f"{KEY_VARIABLE} must be set in the environment to a secret of at least "
                f"{MIN_KEY_LENGTH} characters (keep it: it keeps pseudonyms stable across exports)"
            )
        self._key = key.encode("utf-8")
        self._cache: dict[str, str] = {}

    def event_id(self, row_id: int) -> str:
        """An export id for a stored event that is not its database key (the same in every export)."""
        return hmac.new(self._key, f"event:{row_id}".encode("ascii"), hashlib.sha256).hexdigest()[:20]

    def __call__(self, subject_key: str) -> str:
        code = self._cache.get(subject_key)
        if code is None:
            code = hmac.new(self._key, subject_key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
            self._cache[subject_key] = code
        return code
