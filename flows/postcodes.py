"""UK postcodes: validate the format and find the area ("CF") and district ("CF10") for routing."""
from __future__ import annotations

import re
from dataclasses import dataclass

# The published UK format (outward code: area letters + district; inward: digit + two letters),
# with the letters that never appear in some positions left to the format, not a list of places.
_POSTCODE = re.compile(
    r"^(?P<area>[A-Z]{1,2})(?P<district>[0-9][A-Z0-9]?)\s*(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_OUTWARD_ONLY = re.compile(r"^(?P<area>[A-Z]{1,2})(?P<district>[0-9][A-Z0-9]?)$")


@dataclass(frozen=True)
class Postcode:
    area: str          # "CF"
    district: str      # "CF10"
    inward: str = ""   # "1AA"; empty when only the outward code was given

    @property
    def text(self) -> str:
        return f"{self.district} {self.inward}".strip()


def _squash(text: str) -> str:
    # People type "cf10 1aa", "CF101AA", "CF10-1AA", or "C F 1 0 1 A A".
    return re.sub(r"[\s\-.]", "", text.upper())


def parse_postcode(text: str, allow_outward_only: bool = False) -> Postcode | None:
    """The postcode in `text` if it is a valid UK format; None otherwise."""
    if not text or len(text) > 40:
        return None
    squashed = _squash(text)
    # A letter O typed for a zero in the inward code's digit position is a common slip.
    if len(squashed) >= 5 and squashed[-3] == "O":
        squashed = squashed[:-3] + "0" + squashed[-2:]
    found = _POSTCODE.match(squashed)
    if found:
        area, district = found["area"], found["area"] + found["district"]
        return Postcode(area, district, found["inward"])
    if allow_outward_only:
        found = _OUTWARD_ONLY.match(squashed)
        if found:
            return Postcode(found["area"], found["area"] + found["district"])
    return None


def find_postcode(text: str) -> Postcode | None:
    """A full postcode written somewhere in a longer message ("I live at CF10 1AA thanks")."""
    for match in re.finditer(r"\b[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\b", text or ""):
        if (postcode := parse_postcode(match.group(0))) is not None:
            return postcode
    return None
