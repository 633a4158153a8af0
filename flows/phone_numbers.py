"""UK phone numbers as people type them, for a practitioner to call or text someone who chats on Telegram."""
from __future__ import annotations

import re


def parse_uk_phone(text: str) -> str | None:
    """The number in national form ("07700 900123", "+44 7700 900123" -> "07700900123"); None if not one."""
    digits = re.sub(r"[\s\-().]", "", text or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    # Geographic (01, 02), non-geographic (03) and mobile (07) numbers: 10 or 11 digits in all.
    return digits if re.fullmatch(r"0[1237]\d{8,9}", digits) else None
