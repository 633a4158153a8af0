"""UK phone numbers as people type them, for a practitioner to call or text someone who chats on Telegram.

Read with Google's libphonenumber (the `phonenumbers` package) when it is installed: it knows which
UK ranges exist and how long each is ("07700 900 45" is one digit short of a mobile). Until it is in
the environment, a stricter fallback applies the same length rules for the ranges a person would give.
"""
from __future__ import annotations

import re

try:
    import phonenumbers
except ImportError:  # pragma: no cover - the dependency is declared; the shared environment may lag
    phonenumbers = None

# National significant lengths: 01 numbers have 9 or 10 digits after the 0; 02, 03 and 07 have 10.
_FALLBACK = re.compile(r"0(?:1\d{8,9}|[237]\d{9})")
# Ofcom's mobile range for drama and testing (07700 900000-900999): libphonenumber calls it invalid,
# but a whole number in it reaches no one, so demos, training and tests may use it safely.
_OFCOM_DRAMA_MOBILE = re.compile(r"7700900\d{3}")
_ACCEPTED_TYPES = ("MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE", "UAN", "PERSONAL_NUMBER", "VOIP")


def parse_uk_phone(text: str) -> str | None:
    """The number in national form ("07700 900123", "+44 7700 900123" -> "07700900123"); None if not one."""
    text = (text or "").strip()
    if not text or len(text) > 40:
        return None
    if phonenumbers is not None:
        return _with_library(text)
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    return digits if _FALLBACK.fullmatch(digits) else None


def _with_library(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text.replace("(0)", ""), "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44:
        return None
    if _OFCOM_DRAMA_MOBILE.fullmatch(str(number.national_number)):
        return "0" + str(number.national_number)
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    if not any(kind == getattr(phonenumbers.PhoneNumberType, name) for name in _ACCEPTED_TYPES):
        return None
    return "0" + str(number.national_number)
