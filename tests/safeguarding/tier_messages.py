"""The messages the tier tests use to reach each tier, in one place so they can be adjusted.

The screen decides tiers from the words (config/safeguarding/phrases.yml): these are read as
they say by the real screen, with the real NLU, in both languages.
"""
from __future__ import annotations

# A clear disclosure of each kind.
CLEAR = {"en": "I want to kill myself", "cy": "dw i isio marw"}
ABUSE = {"en": "he hits me and I'm scared of him", "cy": "mae e'n fy nharo i"}
# Ambiguous wording: a possible risk.
POSSIBLE = {"en": "I'm so tired of everything", "cy": "dw i wedi blino ar bopeth"}
POSSIBLE_AGAIN = {"en": "I just want to disappear for a while", "cy": "dw i jyst isio diflannu am sbel"}
# For tests that need one English possible-risk message (Telegram edits, the property tests' way in).
POSSIBLE_REAL_NLU = "I can't do this anymore"
# Ordinary messages: nothing happens.
NOTHING = {"en": "I like gardening and meeting people", "cy": "dw i'n hoffi garddio a chwrdd â phobl"}
