"""The few fields of a data set event that the report counts, copied out of its JSON into columns.

A report over a million events cannot decode each event's JSON (issue 17, item 9): it groups and
counts in SQL, and a query over JSON text still parses every value. So when an event is recorded,
the one answer the report reads from it is also written to a plain column:

- `instrument`, `wave`: which questionnaire, and "baseline" or a follow-up (statements in INSTRUMENTS);
- `answer`: the one choice counted for the statement (ANSWERS below, e.g. 41's route, 13's language);
- `amount`: the one number (a single-score questionnaire's score, 47's days, 121's onward referrals,
  82's own score);
- `flag`: the one yes/no (109 attended, 32 carer, 122 completed, 112 green prescribing, 49 redirected,
  YES_NO).

`promote(statement, value)` is the only place these are worked out: the model's column defaults
call it for every insert, the migration that added the columns called it to fill them, and the
synthetic loader (bench/) calls it for its COPY. The JSON value stays the record; the columns are
derived from it and are never written on their own.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

# Questionnaires: statement -> the items scored (one "score", or ONS-4's four items).
INSTRUMENTS: dict[int, tuple[str, ...]] = {
    91: ("score",), 87: ("score",), 93: ("score",),
    64: ("life_satisfaction", "worthwhile", "happiness", "anxiety"), 88: ("score",), 84: ("score",)}
# The end of support's answers (issue 17): counted per value of one field, one answer per person.
END_OF_SUPPORT: dict[int, str] = {94: "rating", 72: "agreement", 70: "agreement", 83: "agreement"}
# Yes/no answers, as the share of people answering who said yes.
YES_NO: dict[int, str] = {1: "learnt_skills", 79: "started_volunteering", 74: "knows_more", 98: "action_plan",
                          97: "answered"}
COLUMNS = ("instrument", "wave", "answer", "amount", "flag")
# The report's index: a statement's events in a period, with everything the report counts, so
# that most of its queries read the index and never the rows (which carry the JSON).
REPORT_INDEX = ("statement", "occurred_at", "subject_key", *COLUMNS)


def promote(statement: int, value: Mapping[str, Any] | None) -> dict[str, Any]:
    """The columns for one event: every name in COLUMNS, None where the statement has no such field."""
    value = value if isinstance(value, Mapping) else {}
    out: dict[str, Any] = dict.fromkeys(COLUMNS)
    if statement in INSTRUMENTS:
        out["instrument"] = str(value.get("instrument", ""))
        wave = value.get("wave")
        # Anything but "baseline" (even no wave at all) is a follow-up, as the report has always read it.
        out["wave"] = None if wave is None else str(wave)
        if INSTRUMENTS[statement] == ("score",):
            out["amount"] = number(value.get("score"))
    elif statement == 41:
        out["answer"] = str(value.get("route", "other"))
    elif statement == 13:
        out["answer"] = str(value.get("language", "?"))
    elif statement == 122:
        out["flag"] = bool(value.get("completed", True))
    elif statement == 47:
        out["amount"] = number(value.get("days"))
    elif statement == 109:
        out["flag"] = bool(value.get("attended"))
    elif statement == 112:
        out["answer"] = str(value.get("local_authority") or value.get("region") or "?")
        out["flag"] = bool(value.get("green_prescribing"))
    elif statement == 32:
        out["flag"] = bool(value.get("carer"))
    elif statement in END_OF_SUPPORT:
        given = value.get(END_OF_SUPPORT[statement])
        out["answer"] = None if given is None else str(given)
    elif statement in YES_NO:
        given = value.get(YES_NO[statement])
        out["flag"] = given if isinstance(given, bool) else None
    elif statement == 82:
        # The practitioner's "goals met" at closing, or the person's own score for one theme.
        if value.get("rater") == "practitioner" and value.get("met"):
            out["answer"] = str(value["met"])
        else:
            out["amount"] = number(value.get("score"))
    elif statement == 121:
        out["amount"] = number(value.get("onward"))
    elif statement == 49:
        out["flag"] = bool(value.get("redirected"))
    return out


def number(value: Any) -> float | None:
    """A finite number, or None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None
