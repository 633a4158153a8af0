"""The messages the tier tests use to reach each tier, in one place so they can be adjusted.

Today a phrase in config/safeguarding/phrases.yml makes a disclosure "clear", and NLU-only
evidence makes it "possible". The tests reach "possible" through `PossibleRiskNLU`, which reads
the POSSIBLE messages as the NLU's `risk` intent and leaves everything else to the real NLU.
If the screen comes to decide tiers from the words alone, change these constants (and only these).
"""
from __future__ import annotations

from nlu.result import Parse

# A clear disclosure of each kind (phrase-list matches).
CLEAR = {"en": "I want to kill myself", "cy": "dw i isio marw"}
ABUSE = {"en": "he hits me and I'm scared of him", "cy": "mae e'n fy nharo i"}
# Words only the NLU reads as risk: a possible risk.
POSSIBLE = {"en": "everything feels dark lately", "cy": "mae popeth yn teimlo'n dywyll yn ddiweddar"}
POSSIBLE_AGAIN = {"en": "I just feel like nothing matters", "cy": "does dim byd yn bwysig i mi"}
# Read as a possible risk by the REAL NLU today (no phrase; the risk intent at 0.75 in English,
# 0.52 in Welsh): for tests that run the real NLU (Telegram edits, the property tests' way in).
POSSIBLE_REAL_NLU = "I just feel like nothing matters"
# Ordinary messages: nothing happens.
NOTHING = {"en": "I like gardening and meeting people", "cy": "dw i'n hoffi garddio a chwrdd â phobl"}


class PossibleRiskNLU:
    """The real NLU, except that the POSSIBLE messages read as `risk` (0.5): NLU-only evidence."""

    def __init__(self, inner):
        self.inner = inner
        self.risky = {text.casefold() for text in (*POSSIBLE.values(), *POSSIBLE_AGAIN.values())}

    def parse(self, text, lang):
        if text.strip().casefold() in self.risky:
            return Parse("risk", 0.5)
        return self.inner.parse(text, lang)
