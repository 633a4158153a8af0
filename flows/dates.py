"""Dates of birth as people type them, in Welsh and English, and the age band kept for reporting."""
from __future__ import annotations

import re
from datetime import date, timedelta

from nlu.text import fold

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


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:
        # "70" is 1970; "05" is 2005 unless that is in the future.
        year += 2000 if year <= today.year % 100 else 1900
    return year


def _parts(text: str, today: date) -> tuple[int, int, int]:
    text = fold(text)
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


# ---------------------------------------------------------------- the day of an activity

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
    # Welsh, with the soft-mutated forms (ddydd Fawrth is not said, but nos Fawrth and Fercher are)
    "llun": 0, "lun": 0, "mawrth": 1, "fawrth": 1, "mercher": 2, "fercher": 2, "iau": 3,
    "gwener": 4, "wener": 4, "sadwrn": 5, "sul": 6,
}
RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "this evening": 0, "this morning": 0, "this afternoon": 0,
    "heddiw": 0, "heno": 0, "bore ma": 0, "pnawn ma": 0, "prynhawn ma": 0,
    "tomorrow": 1, "tmrw": 1, "yfory": 1, "fory": 1, "nos yfory": 1, "bore fory": 1,
    "day after tomorrow": 2, "the day after tomorrow": 2, "drennydd": 2, "trennydd": 2,
}
# Words around a day that do not change which day it is ("on Tuesday", "ar ddydd Mawrth nesaf").
DAY_FILLERS = {"on", "the", "this", "next", "coming", "this coming", "dydd", "ddydd", "ar", "nesaf", "nesa",
               "yma", "nos", "bore", "fore", "pnawn", "prynhawn", "evening", "morning", "afternoon", "night"}
# A time given with the day ("Tuesday at 10am", "dydd Mawrth am 2yp") is left out: the day is what
# the reminder and the nudge need, and the directory knows when the activity starts.
_TIME_OF_DAY = re.compile(r"^\d{1,2}(?:[:.]\d{2})?(?:am|pm|yb|yp|yh)$|^\d{1,2}[:.]\d{2}$")
TIME_FILLERS = {"at", "am", "around", "tua", "clock", "oclock", "gloch"}
FURTHEST_AHEAD_DAYS = 366
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")


def _future_year(month: int, day: int, today: date) -> date:
    """A day and month without a year: this year's, or next year's if this year's has passed."""
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        if (month, day) == (2, 29):  # 29 February: the next year that has one
            year = today.year + 1
            while True:
                try:
                    return date(year, 2, 29)
                except ValueError:
                    year += 1
        raise DateProblem("impossible") from None
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _dated(year: int | None, month: int, day: int, today: date) -> date:
    if year is None:
        return _future_year(month, day, today)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem("impossible") from None


def _activity_day(text: str, today: date) -> date:
    folded = " ".join(re.split(r"[\s,]+", fold(text).replace("'", " ").strip(" .!?"))).strip()
    if folded in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[folded])
    if found := _DAY_MONTH.match(folded):
        year = _year(found[3], today) if found[3] else None
        return _dated(year, int(found[2]), int(found[1]), today)
    if found := _ISO.match(folded):
        return _dated(int(found[1]), int(found[2]), int(found[3]), today)
    words = [w for w in folded.split() if not _TIME_OF_DAY.match(w) and w not in TIME_FILLERS]
    words = [w for w in re.split(r"[\s,./\-]+", " ".join(words)) if w and w not in DAY_FILLERS
             and w not in {"o", "of", "mis", "fis"}]
    numbers = [w for w in words if _ORDINAL.match(w)]
    years = [w for w in words if re.fullmatch(r"\d{4}", w)]
    if numbers:
        # A day number means a month name is a month: "3 Mawrth" is March, not Tuesday.
        months = [MONTHS[w] for w in words if w in MONTHS]
        rest = [w for w in words if w not in MONTHS and w not in WEEKDAYS and not _ORDINAL.match(w)
                and w not in years]
        if len(months) >= 1 and not rest and len(numbers) == 1 and len(years) <= 1:
            day = int(_ORDINAL.match(numbers[0])[1])
            return _dated(int(years[0]) if years else None, months[-1], day, today)
        raise DateProblem("format")
    weekdays = {WEEKDAYS[w] for w in words if w in WEEKDAYS}
    if len(weekdays) == 1 and all(w in WEEKDAYS for w in words):
        # The next one after today: on a Tuesday, "Tuesday" means next week's ("today" means today).
        ahead = (weekdays.pop() - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    raise DateProblem("format")


def parse_activity_date(text: str, today: date) -> date:
    """The day someone plans to go, from "next Tuesday", "dydd Mawrth", "25/12", "yfory"...; raises DateProblem.

    Reasons: "format" (not a date we can read), "impossible" (31/02), "past", "too_far" (over a year ahead).
    """
    if not text or len(text) > 60:
        raise DateProblem("format")
    day = _activity_day(text, today)
    if day < today:
        raise DateProblem("past")
    if (day - today).days > FURTHEST_AHEAD_DAYS:
        raise DateProblem("too_far")
    return day
