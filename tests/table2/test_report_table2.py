"""The report's issue-17 figures against a synthetic data set whose totals are known, on both databases."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import Session

from bot.catalog import Catalog
from bot.report.builder import as_html, compute
from bot.report.quotes import redact
from bot.report.reliable_change import classify, reliable_change_threshold
from storage.dataset.catalogue import load_catalogue
from storage.dataset.period import Period
from storage.db import make_engine
from storage.models import DataSetEvent, EndOfSupport, Person
from datetime import date

PERIOD = Period.of_days(date(2026, 3, 1), date(2026, 3, 31), "Europe/London")
IN = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
BEFORE = datetime(2026, 2, 1, 12, tzinfo=timezone.utc)
CATALOGUE = load_catalogue()


# ---------------------------------------------------------------- reliable change, worked by hand

def test_reliable_change_threshold_worked_examples():
    # 1.96 x SD x sqrt(2 (1 - r)): SD 10, r 0.5 -> 1.96 x 10 x 1 = 19.6
    assert reliable_change_threshold(10, 0.5) == pytest.approx(19.6)
    # SD 7.5, r 0.88: SE = 7.5 x sqrt(0.12) = 2.598; S_diff = 3.674; x 1.96 = 7.20
    assert reliable_change_threshold(7.5, 0.88) == pytest.approx(7.2015, abs=1e-3)
    # The configured SWEMWBS inputs (SD 3.9, alpha 0.84): 1.96 x 3.9 x sqrt(0.32) = 4.324
    assert reliable_change_threshold(3.9, 0.84) == pytest.approx(4.3240, abs=1e-3)
    with pytest.raises(ValueError):
        reliable_change_threshold(0, 0.8)


def test_reliable_change_counts_each_way_and_respects_direction():
    changes = [5, 4.4, 4.32, -6, 0, 1]
    assert classify(changes, 4.32, "higher") == (2, 3, 1)        # 4.32 itself does not exceed
    assert classify(changes, 4.32, "lower") == (1, 3, 2)         # loneliness: a fall is better


# ---------------------------------------------------------------- a synthetic data set with known totals

def _people(session, n, prefix="a"):
    subjects = []
    for i in range(n):
        person = Person(created_at=BEFORE, opted_out=False, pseudonym=f"{prefix}{i:031x}", language="en")
        session.add(person)
        subjects.append(person)
    session.flush()
    return subjects


def _event(session, statement, person, value, when=IN):
    session.add(DataSetEvent(statement=statement, subject_key=person.pseudonym, person_id=person.id, value=value,
                             occurred_at=when, channel="sms", language="en", source="test"))


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        people = _people(session, 20)
        for i, person in enumerate(people):
            _event(session, 41, person, {"route": "self" if i < 12 else "gp"})
            _event(session, 36, person, {"age_band": "35-44", "postcode_area": "CF",
                                         **({"sex": "female"} if i < 9 else {"sex": "male"} if i < 16 else {}),
                                         **({"ethnic_group": "white"} if i < 17 else {"ethnic_group": "asian"})})
            # attendance: 14 asked; 10 attended (2 of them also missed once), 4 never
            if i < 14:
                _event(session, 109, person, {"attended": i < 10})
            if i < 2:
                _event(session, 109, person, {"attended": False})
            # SWEMWBS: 10 pairs; 6 rise by 5 (reliably better), 2 fall by 5, 2 unchanged
            if i < 10:
                _event(session, 91, person, {"instrument": "swemwbs", "wave": "baseline", "score": 20.0}, BEFORE)
                after = 25.0 if i < 6 else 15.0 if i < 8 else 20.0
                _event(session, 91, person, {"instrument": "swemwbs", "wave": "12w", "score": after})
            # UCLA-3: 5 pairs, all fall by 3 (lower is better: reliably better)
            if i < 5:
                _event(session, 87, person, {"instrument": "ucla3", "wave": "baseline", "score": 8}, BEFORE)
                _event(session, 87, person, {"instrument": "ucla3", "wave": "12w", "score": 5})
            # end of support: 8 answered satisfaction (6 very good, 2 poor)
            if i < 8:
                _event(session, 94, person, {"scale": "fft", "rating": "very_good" if i < 6 else "poor"})
                _event(session, 82, person, {"rater": "practitioner", "met": "fully" if i < 5 else "partly"})
                _event(session, 121, person, {"onward": 2})
                _event(session, 1, person, {"learnt_skills": i < 6})
            if i == 0:
                _event(session, 44, person, {"accepted": True})
        for i, person in enumerate(people[:6]):
            session.add(EndOfSupport(person_id=person.id, source="closed", status="completed", questions=[],
                                     answers={}, difference_text=f"It helped me a lot, call me on 07700 900{i:03d}",
                                     quote_ok=i < 5, offered_at=IN, completed_at=IN))
    yield engine
    engine.dispose()


def test_figures_add_up(engine):
    f = compute(engine, PERIOD, CATALOGUE)
    attendance = f["how_well"]["attendance"]
    assert (attendance["asked"], attendance["attended"], attendance["did_not_attend"]) == (14, 10, None)
    raw = compute(engine, PERIOD, CATALOGUE, threshold=1)["how_well"]["attendance"]
    assert raw["attended"] + raw["did_not_attend"] == raw["asked"] == 14


def test_reliable_change_shares_per_measure(engine):
    measures = {m["instrument"]: m for m in compute(engine, PERIOD, CATALOGUE)["better_off"]["measures"]}
    swemwbs = measures["swemwbs"]
    assert swemwbs["pairs"] == 10 and swemwbs["reliable_threshold"] == pytest.approx(4.32)
    assert swemwbs["reliably_better_share"] == pytest.approx(0.6) and swemwbs["reliably_worse_share"] is None
    ucla = measures["ucla3"]
    assert ucla["reliably_better"] == 5 and ucla["reliably_better_share"] == 1.0


def test_protected_characteristics_are_suppressed_below_five(engine):
    protected = compute(engine, PERIOD, CATALOGUE)["protected"]
    sex = {r["key"]: r["count"] for r in protected["sex"]["rows"]}
    assert protected["sex"]["people"] == 16 and sex["female"] == 9 and sex["male"] == 7
    ethnic = {r["key"]: (r["count"], r["suppressed"]) for r in protected["ethnic_group"]["rows"]}
    assert ethnic["asian"] == (None, True)           # 3 people: hidden
    assert ethnic["white"] == (None, True)            # and the next smallest, or 20 - 17 gives it away


def test_end_of_support_measures(engine):
    e = compute(engine, PERIOD, CATALOGUE)["end_of_support"]
    ratings = {r["key"]: r["count"] for r in e["94"]["rows"]}
    # 2 poor is hidden, and so is the only other answer (8 - 6 would give it away).
    assert e["94"]["people"] == 8 and ratings["very_good"] is None and ratings["poor"] is None
    raw = compute(engine, PERIOD, CATALOGUE, threshold=1)["end_of_support"]
    assert {r["key"]: r["count"] for r in raw["94"]["rows"] if r["count"]} == {"very_good": 6, "poor": 2}
    assert e["onward"] == {"cases": 8, "total": 16}
    assert e["yes_no"]["1"] == {"people": 8, "yes": 6, "share": 0.75}


def test_quotes_only_where_agreed_and_enough_agreed(engine):
    q = compute(engine, PERIOD, CATALOGUE)["quotes"]
    assert q["agreed"] == 5 and len(q["shown"]) == 5
    assert all("07700" not in text for text in q["shown"])
    assert compute(engine, PERIOD, CATALOGUE, threshold=6)["quotes"] == {"agreed": None, "shown": []}


def test_the_page_in_both_languages_has_the_new_sections(engine):
    figures = compute(engine, PERIOD, CATALOGUE)
    now = datetime(2026, 4, 1, tzinfo=timezone.utc)
    en = as_html(figures, Catalog.load(), CATALOGUE, ("en",), "Cyswllt", now)
    cy = as_html(figures, Catalog.load(), CATALOGUE, ("cy",), "Cyswllt", now)
    assert en.index("Summary") < en.index("How much did we do?")
    assert "Who is reliably better off" in en and "60%" in en and "20 referrals" in en
    assert "Crynodeb" in cy and "ddibynadwy well eu byd" in cy and "20 atgyfeiriad" in cy
    assert "In their own words" in en and "It helped me a lot" in en and "Yn eu geiriau eu hunain" in cy


def test_redaction_of_contact_details():
    assert redact("Ring 07700 900123 or a@b.cymru, I'm in CF10 1AA") == "Ring … or …, I'm in …"


def test_the_previous_period_of_the_same_length_is_compared(engine):
    with Session(engine) as session, session.begin():
        for person in _people(session, 6, prefix="b"):
            _event(session, 41, person, {"route": "gp"}, BEFORE)
    previous = compute(engine, PERIOD, CATALOGUE)["previous"]
    assert previous["period"] == {"from": "2026-01-29", "to": "2026-02-28"}   # 31 days before 1 March
    assert (previous["referrals"], previous["people"]) == (6, 6)


def test_outcomes_by_language_of_choice(engine):
    with Session(engine) as session, session.begin():
        for person in session.query(Person).order_by(Person.id).limit(10):
            session.add(DataSetEvent(statement=13, subject_key=person.pseudonym, person_id=person.id,
                                     value={"language": "cy", "how": "chose"}, occurred_at=IN, channel="sms",
                                     language="cy", source="language"))
    rows = {r["language"]: r for r in compute(engine, PERIOD, CATALOGUE)["by_language"]}
    # The first ten people chose Welsh; all ten attended at least once; six of them rose by 5 on SWEMWBS.
    assert rows["cy"]["people"] == 10 and rows["en"]["people"] == 0
    assert rows["cy"]["attended_share"] == 1.0        # people 0-9 all attended at least once
    assert rows["cy"]["reliably_better_share"] == pytest.approx(0.6)
    assert rows["cy"]["served_share"] is None         # no referrals routed to a practitioner here
