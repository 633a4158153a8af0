"""One send policy: every unprompted message waits for the quiet hours and the person's own times."""
from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path

from bot.send_policy import when_allowed
from bot.settings import load_settings
from storage.models import ContactPreference

ROOT = Path(__file__).resolve().parent.parent
LATE = datetime(2026, 3, 2, 21, 30, tzinfo=timezone.utc)    # a Monday, 21:30 in London (GMT)
MIDDAY = datetime(2026, 7, 6, 11, 0, tzinfo=timezone.utc)   # a Monday, 12:00 in London (BST)


def test_at_night_a_message_waits_for_the_morning_and_for_the_persons_own_times():
    settings = load_settings(environ={})
    assert when_allowed(None, settings, None, LATE) == datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    evenings = {7: ContactPreference(person_id=7, start="17:00", end="19:30")}
    assert when_allowed(None, settings, 7, LATE, evenings) == datetime(2026, 3, 3, 17, 0, tzinfo=timezone.utc)
    assert when_allowed(None, settings, 7, MIDDAY, evenings) == datetime(2026, 7, 6, 16, 0, tzinfo=timezone.utc)
    assert when_allowed(None, settings, 8, MIDDAY, evenings) == MIDDAY   # no times of their own


def test_quiet_hours_are_worked_out_in_one_place():
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name in ("send_policy.py", "quiet_hours.py"):
            continue
        imported = {alias.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.ImportFrom) and node.module == "bot.quiet_hours" for alias in node.names}
        assert "next_allowed" not in imported, f"{path.relative_to(ROOT)} works quiet hours out itself"
