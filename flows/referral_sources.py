"""Referral source codes ("no wrong door"): a GP practice, a housing officer... and the route they mean."""
from __future__ import annotations

import re

# The code's prefix names who referred: "GP-W91234" is a GP practice. Anything else is "other".
ROUTES = {
    "GP": "gp", "MEDDYG": "gp", "HEALTH": "health", "IECHYD": "health", "NURSE": "health",
    "PHARM": "pharmacy", "FFERYLL": "pharmacy", "HOUSING": "housing", "HOU": "housing", "TAI": "housing",
    "COUNCIL": "council", "CYNGOR": "council", "LA": "council", "SOCIAL": "social_care",
    "VOL": "voluntary", "GWIRFODD": "voluntary", "SCHOOL": "education", "YSGOL": "education",
    "JOB": "employment", "DWP": "employment", "POLICE": "police", "HEDDLU": "police",
}
SELF = "self"
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,23}$")


def clean_source(code: str | None) -> str:
    """The source code as stored ("gp-w91234" -> "GP-W91234"); "" if it is not a plausible code."""
    code = (code or "").strip().upper()
    return code if _CODE.match(code) else ""


def route_for(code: str) -> str:
    """"gp", "housing"... from the code's prefix; "other" for an unknown prefix; "self" for none."""
    if not code:
        return SELF
    prefix = re.split(r"[-_0-9]", code, maxsplit=1)[0]
    return ROUTES.get(prefix, "other")
