"""The report renders in Welsh and English, as a self-contained page, and as JSON with the same figures."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.orm import Session

from bot.cli import main
from storage.db import make_engine
from tests.dataset.fixture_events import insert


@pytest.fixture
def filled(database_url, monkeypatch):
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        insert(session)
    engine.dispose()
    monkeypatch.setenv("CYSWLLT_DATABASE_URL", database_url)
    return database_url


def report(tmp_path, *extra):
    out = tmp_path / "report.out"
    assert main(["report", "--from", "2026-03-02", "--to", "2026-03-15", "--out", str(out), *extra]) == 0
    return out.read_text(encoding="utf-8")


def test_welsh_report(filled, tmp_path):
    page = report(tmp_path, "--lang", "cy")
    assert '<html lang="cy">' in page
    assert "Faint wnaethon ni?" in page and "Pa mor dda wnaethon ni?" in page
    assert "A yw unrhyw un yn well ei fyd?" in page
    assert "How much did we do?" not in page
    # four people gave their age band: each band is shown as <5, never as 1
    assert '<td>Gwell gennyf beidio â dweud</td><td class="n">&lt;5</td>' in page


def test_english_report_is_self_contained(filled, tmp_path):
    page = report(tmp_path, "--lang", "en")
    assert "How much did we do?" in page and "Is anyone better off?" in page
    assert "Table 2 measures not yet collected" not in page  # all fifteen are collected
    assert "<img" in page and not re.search(r'src="(?!data:image/png;base64,)', page)
    assert not re.search(r"<(script|link)\b", page)


def test_both_languages_in_one_page_welsh_first(filled, tmp_path):
    page = report(tmp_path)
    assert page.index('<article lang="cy"') < page.index('<article lang="en"')
    assert 'href="#en"' in page and 'href="#cy"' in page


def test_json_has_the_figures(filled, tmp_path):
    figures = json.loads(report(tmp_path, "--json"))
    assert figures["people"] == 6 and figures["threshold"] == 5
    assert set(figures) >= {"how_much", "how_well", "better_off", "table2_not_collected", "generated_at"}


def test_an_empty_period_renders(filled, tmp_path):
    out = tmp_path / "empty.html"
    assert main(["report", "--from", "2020-01-01", "--to", "2020-01-31", "--out", str(out), "--lang", "en"]) == 0
    assert "No data for this period." in out.read_text(encoding="utf-8")


def test_a_period_that_ends_before_it_starts_is_refused(filled, capsys):
    assert main(["report", "--from", "2026-03-15", "--to", "2026-03-01"]) == 2
    assert "--to 2026-03-01 is before --from 2026-03-15" in capsys.readouterr().err


def test_nothing_is_escaped_twice(filled, tmp_path):
    page = report(tmp_path, "--lang", "en")
    assert "&amp;lt;" not in page
    assert "safeguarding concern was raised: &lt;5" in page


def test_coverage_counts_the_events_stored(filled, capsys):
    assert main(["dataset", "coverage", "--db"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\s41 .*\[6 events from test\]", out)  # every stored event, whatever its date
    assert re.search(r"T2 122 .*\[4 events from test\]", out)
    assert re.search(r"\s94 .*\[no events\]", out)
