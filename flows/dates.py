"""Dates of birth as people type them, in Welsh and English, and the age band kept for reporting."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

MONTHS = {
    # English, full and short
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    # Welsh, with the soft-mutated forms that follow "o" or "fis" (o Fawrth, mis Fedi)
    "ionawr": 1, "ion": 1, "chwefror": 2, "chwef": 2, "mawrth": 3, "fawrth": 3, "maw": 3,
    "ebrill": 4, "ebr": 4, "mai": 5, "fai": 5, "mehefin": 6, "fehefin": 6, "meh": 6,
    "gorffennaf": 7, "orffennaf": 7, "gorffenaf": 7, "gorff": 7, "awst": 8, "aws": 8,
    "medi": 9, "fedi": 9, "hydref": 10, "hyd": 10, "tachwedd": 11, "dachwedd": 11, "tach": 11,
    "rhagfyr": 12, "ragfyr": 12, "rhag": 12,
}
AGE_BANDS = ((16, "0-15"), (25, "16-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"),
             (75, "65-74"), (200, "75+"))
OLDEST = 120
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|af|il|ydd|ed|fed|eg|ain)?$")


class DateProblem(Exception):
    """Why a date was not accepted: "format", "impossible", "future" or "too_old"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:
        # "70" is 1970; "05" is 2005 unless that is in the future.
        year += 2000 if year <= today.year % 100 else 1900
    return year


def _parts(text: str, today: date) -> tuple[int, int, int]:
    text = _fold(text)
    if found := _NUMERIC.match(text):
        return _year(found[3], today), int(found[2]), int(found[1])
    if found := _ISO.match(text):
        return int(found[1]), int(found[2]), int(found[3])
    if found := _COMPACT.match(text):
        return int(found[3]), int(found[2]), int(found[1])
    words = [w for w in re.split(r"[\s,./\-]+", text) if w and w not in {"o", "of", "the", "mis", "fis"}]
    if len(words) == 3:
        day_word, month_word, year_word = words
        if day_word in MONTHS:  # "February 1 1970"
            day_word, month_word = month_word, day_word
        day, month = _ORDINAL.match(day_word), MONTHS.get(month_word)
        if day and month and re.fullmatch(r"\d{2}|\d{4}", year_word):
            return _year(year_word, today), month, int(day[1])
    raise DateProblem("format")


def parse_birth_date(text: str, today: date) -> date:
    """A date of birth from "01/02/1970", "1 Feb 70", "1af Chwefror 1970"...; raises DateProblem."""
    if not text or len(text) > 40:
        raise DateProblem("format")
    year, month, day = _parts(text, today)
    try:
        born = date(year, month, day)
    except ValueError:
        raise DateProblem("impossible") from None
    if born > today:
        raise DateProblem("future")
    if today.year - born.year > OLDEST:
        raise DateProblem("too_old")
    return born


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_band(born: date, today: date) -> str:
    age = age_on(born, today)
    return next(band for limit, band in AGE_BANDS if age < limit)
