"""Reading a practitioner's typed "CLOSE 12" / "CAU 12" (the words come from config/locale/*/answers/)."""
from __future__ import annotations

import re
from typing import Iterable

from flows.picks import fold

_COMMAND = re.compile(r"\s*(\S+?)\s*#?\s*(\d{1,9})\s*")


def close_command(text: str, words: Iterable[str]) -> int | None:
    """The referral number in the message, if it is the close command and a number."""
    found = _COMMAND.fullmatch(text or "")
    if found and fold(found.group(1)) in {fold(w) for w in words}:
        return int(found.group(2))
    return None
