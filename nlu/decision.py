"""Turn a backend's intent scores into one intent, the same way for every backend."""
from __future__ import annotations

# Missing a disclosure costs far more than a false alarm (the safeguarding screen and a person
# check it), so risk wins whenever a model gives it at least this much.
RISK_MIN_SCORE = 0.3


def decide(scores: dict[str, float], min_confidence: float) -> tuple[str, float]:
    """The intent to act on and its score: risk first, then the top intent if trusted enough."""
    if not scores:
        return "out_of_scope", 0.0
    risk = scores.get("risk", 0.0)
    if risk >= RISK_MIN_SCORE:
        return "risk", risk
    intent = max(scores, key=scores.get)
    confidence = scores[intent]
    if confidence < min_confidence:
        return "out_of_scope", confidence
    return intent, confidence
