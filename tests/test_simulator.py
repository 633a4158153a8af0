"""The console simulator, run as a newcomer would run it: `cyswllt chat` with piped input."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.simulator import SimulatorError, parse_duration


def chat(database_url: str, lines: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--db", database_url, *extra],
        input=lines, capture_output=True, text=True, timeout=120,
    )


def test_piped_english_conversation_and_restart_remembers(database_url):
    first = chat(database_url, "Helo\n2\n", "--channel", "sms", "--from", "+447700900123")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert out.index("Ym mha iaith") < out.index("Which language")
    assert "1 Cymraeg\n2 English" in out
    assert "continue in English" in out
    again = chat(database_url, "hello\n", "--channel", "sms", "--from", "+447700900123")
    assert again.returncode == 0, again.stderr
    assert "Which language" not in again.stdout
    assert "What would you like to do?" in again.stdout


def test_piped_welsh_conversation(database_url):
    result = chat(database_url, "Helo\n1\n", "--from", "+447700900124")
    assert result.returncode == 0, result.stderr
    assert "parhau yn Gymraeg" in result.stdout


def test_telegram_rendering_shows_buttons(database_url):
    result = chat(database_url, "hi\nEnglish\n::state\n::nonsense\n::advance 3d\n", "--channel", "telegram",
                  "--from", "555")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Cymraeg  [2] English" in out
    assert '"language": "en"' in out
    assert "unknown command ::nonsense" in out
    assert "clock now" in out


@pytest.mark.parametrize("text, hours", [("3d", 72), ("12h", 12), ("1w", 168), ("1d6h", 30), ("90m", 1.5)])
def test_durations(text, hours):
    assert parse_duration(text).total_seconds() == hours * 3600


@pytest.mark.parametrize("text", ["", "soon", "3x", "d3"])
def test_bad_durations_are_explained(text):
    with pytest.raises(SimulatorError, match="duration"):
        parse_duration(text)
