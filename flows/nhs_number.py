"""NHS numbers: ten digits whose last is a modulus 11 check digit, so most typos are caught."""
from __future__ import annotations

import re


class NHSNumberProblem(Exception):
    """Why a number was not accepted: "length" (not ten digits) or "check" (a digit is wrong)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits; None when no valid number can start with them."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def parse_nhs_number(text: str) -> str:
    """The ten digits of a valid NHS number ("943 476 5919" -> "9434765919"); raises NHSNumberProblem."""
    digits = re.sub(r"[\s\-.]", "", text or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise NHSNumberProblem("length")
    if check_digit(digits[:9]) != int(digits[9]):
        raise NHSNumberProblem("check")
    return digits


def formatted(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
