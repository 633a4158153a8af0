"""SMS encoding and segments: what a text will cost and how it will be split.

GSM-7 fits 160 characters in one SMS (153 per part when split); any character outside it,
including Welsh â ê î ô û ŵ ŷ, forces UCS-2: 70 (67 per part), counted in UTF-16 units.
Welsh letters are never replaced to save a segment; only typographic punctuation that has
a plain equivalent is (curly quotes are the usual reason an English text turns UCS-2).
"""
from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic character set.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (an escape and the character).
GSM_EXTENDED = set("^{}\\[~]|€\f")
GSM_ALL = frozenset(GSM_BASIC | GSM_EXTENDED)
# Deletes the extension characters, so that the length lost counts them (in C, not a loop here:
# the sender measures every SMS it sends, several times when it joins a turn's rows).
WITHOUT_EXTENDED = str.maketrans(dict.fromkeys(GSM_EXTENDED))

# Punctuation that word processors put in catalog text and that has a GSM-7 twin.
PLAIN_PUNCTUATION = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-",
})

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsSize:
    encoding: str      # "GSM-7" or "UCS-2"
    units: int         # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return GSM_ALL.issuperset(text)


def measure(text: str) -> SmsSize:
    """The encoding the network will use for this text and how many segments it takes."""
    if is_gsm7(text):
        units = 2 * len(text) - len(text.translate(WITHOUT_EXTENDED))
        single, part, encoding = GSM_SINGLE, GSM_PART, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0)
    return SmsSize(encoding, units, -(-units // part))


def plain_punctuation(text: str) -> str:
    """Curly quotes, dashes and ellipses as their GSM-7 twins; every letter is left alone."""
    return text.translate(PLAIN_PUNCTUATION)


def fits(text: str, segments: int) -> bool:
    return measure(text).segments <= segments
