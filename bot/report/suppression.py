"""Small-number suppression: no count from 1 to 4 is shown, nor one that would reveal such a count."""
from __future__ import annotations

from typing import Any, Iterable

THRESHOLD = 5


def hidden(count: int, threshold: int = THRESHOLD) -> bool:
    """A count that could identify someone: more than none, fewer than the threshold."""
    return 0 < count < threshold


def count(value: int, threshold: int = THRESHOLD) -> int | None:
    """The count to publish, or None when it is too small to show."""
    return None if hidden(value, threshold) else value


def share(numerator: int, denominator: int, threshold: int = THRESHOLD) -> float | None:
    """A proportion, withheld when either side is too small to show (or there is nothing to divide)."""
    if denominator == 0 or hidden(numerator, threshold) or hidden(denominator, threshold):
        return None
    return numerator / denominator


def breakdown(counts: Iterable[tuple[str, int]], total: int | None = None,
              threshold: int = THRESHOLD) -> list[dict[str, Any]]:
    """Rows {key, count, share, suppressed} for one categorical breakdown.

    When exactly one row is hidden, the next smallest is hidden too, because the total (shown
    elsewhere) minus the others would give the hidden one away.
    """
    items = list(counts)
    total = sum(c for _, c in items) if total is None else total
    suppressed = {key for key, c in items if hidden(c, threshold)}
    if hidden(total, threshold):
        suppressed = {key for key, c in items if c > 0}
    elif len(suppressed) == 1:
        others = sorted((c, key) for key, c in items if c > 0 and key not in suppressed)
        if others:
            suppressed.add(others[0][1])
    rows = []
    for key, c in items:
        gone = key in suppressed
        rows.append({
            "key": key,
            "count": None if gone else c,
            "share": None if gone or total == 0 or hidden(total, threshold) else c / total,
            "suppressed": gone,
        })
    return rows
