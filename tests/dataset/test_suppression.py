"""Small-number suppression: nothing from 1 to 4 is shown, nor anything that would give one away."""
from __future__ import annotations

from hypothesis import given, strategies as st

from bot.report.suppression import breakdown, count, share


def test_counts_from_one_to_four_are_hidden_and_zero_is_not():
    assert [count(n) for n in range(7)] == [0, None, None, None, None, 5, 6]


def test_a_share_is_withheld_when_either_side_is_small():
    assert share(3, 100) is None and share(10, 4) is None and share(0, 0) is None
    assert share(5, 10) == 0.5 and share(0, 10) == 0.0


def test_one_hidden_cell_takes_the_next_smallest_with_it():
    rows = breakdown([("a", 10), ("b", 3), ("c", 7), ("d", 0)])
    assert [(r["key"], r["count"]) for r in rows] == [("a", 10), ("b", None), ("c", None), ("d", 0)]
    assert rows[0]["share"] == 0.5


def test_two_hidden_cells_need_nothing_more():
    rows = breakdown([("a", 10), ("b", 3), ("c", 2)])
    assert [r["count"] for r in rows] == [10, None, None]


def test_a_small_total_hides_every_cell():
    assert [r["count"] for r in breakdown([("a", 3), ("b", 0)])] == [None, 0]


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_no_hidden_count_can_be_worked_out_from_the_total(values):
    rows = breakdown([(str(i), v) for i, v in enumerate(values)])
    shown = [r["count"] for r in rows]
    assert not any(c is not None and 0 < c < 5 for c in shown)
    hidden = [r for r in rows if r["suppressed"]]
    total_shown = not 0 < sum(values) < 5
    assert not (total_shown and len(hidden) == 1), "one hidden cell could be found by subtracting the others from the total"
