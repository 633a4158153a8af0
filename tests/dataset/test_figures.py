"""Each Table 2 measure the report shows, against values worked out by hand from a small fixture."""
from __future__ import annotations

import math

import pytest
from sqlalchemy.orm import Session

from bot.report.builder import compute
from storage.dataset.catalogue import load_catalogue
from storage.db import make_engine
from tests.dataset.fixture_events import PERIOD, insert

T_975 = {1: 12.706204736174704, 2: 4.302652729749464}   # Student's t, 97.5th percentile


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        insert(session)
    yield engine
    engine.dispose()


@pytest.fixture
def raw(engine):
    """The figures with suppression switched off, so each can be checked exactly."""
    return compute(engine, PERIOD, load_catalogue(), threshold=1)


def rows(block):
    return {r["key"]: r["count"] for r in block}


def test_people_and_referrals_by_week_and_route(raw):
    assert raw["people"] == 6
    referrals = raw["how_much"]["referrals"]
    assert (referrals["total"], referrals["people"]) == (5, 5)
    assert rows(referrals["by_week"]) == {"2026-03-02": 3, "2026-03-09": 2}
    assert rows(referrals["by_route"]) == {"self": 3, "gp": 2, "health": 0, "social_care": 0,
                                           "third_sector": 0, "family": 0, "other": 0}


def test_what_matters_completed_122(raw):
    wm = raw["how_much"]["what_matters"]
    assert wm["people"] == 4
    assert wm["share"] == pytest.approx(3 / 5)     # A, B, D of the five referred


def test_people_who_accessed_what_was_prescribed_123(raw):
    assert raw["how_much"]["accessed_prescribed"] == {"referred_to_activity": 4, "attended": 2, "share": 0.5}


def test_demographics_use_each_persons_latest_answer_36(raw):
    demo = raw["how_much"]["demographics"]
    assert demo["people"] == 4
    assert {k: v for k, v in rows(demo["age_bands"]).items() if v} == {
        "35-44": 1, "75+": 1, "25-34": 1, "prefer_not_to_say": 1}
    assert rows(demo["postcode_areas"]) == {"CF": 2, "LL": 1, "SA": 1}


def test_reasons_for_referral_51(raw):
    reasons = raw["how_much"]["reasons"]
    assert reasons["people"] == 3
    counts = rows(reasons["rows"])
    assert (counts["mental"], counts["social"], counts["physical"], counts["financial"]) == (3, 1, 1, 0)
    mental = next(r for r in reasons["rows"] if r["key"] == "mental")
    assert mental["share"] == 1.0


def test_activity_types_by_area_112(raw):
    activity = raw["how_much"]["activity_types"]
    assert (activity["people"], activity["referrals"]) == (4, 4)
    assert {k: v for k, v in rows(activity["by_category"]).items() if v} == {
        "green": 2, "blue": 1, "creative": 1, "physical_activity": 1}
    table = {r["category"]: {c["area"]: c["count"] for c in r["cells"]} for r in activity["by_area"]["rows"]}
    assert activity["by_area"]["areas"] == ["Cardiff", "Gwynedd", "Swansea"]
    assert table == {"green": {"Cardiff": 1, "Gwynedd": 1, "Swansea": 0},
                     "blue": {"Cardiff": 0, "Gwynedd": 0, "Swansea": 1},
                     "creative": {"Cardiff": 1, "Gwynedd": 0, "Swansea": 0},
                     "physical_activity": {"Cardiff": 1, "Gwynedd": 0, "Swansea": 0}}


def test_attendance_and_drop_out_109_106_103_102(raw):
    assert raw["how_well"]["attendance"] == {
        "asked": 3, "attended": 2, "did_not_attend": 1, "attendance_rate": pytest.approx(2 / 3),
        "disengaged": 1, "disengaged_share": 0.25, "withdrew": 1, "withdrew_share": 0.2,
    }


def test_time_from_referral_to_first_contact_47(raw):
    assert raw["how_well"]["time_to_first_contact"] == {"n": 4, "median": 5.0, "mean": 5.5, "q1": 3.5, "q3": 7.0}


def test_barriers_80_and_themes_108(raw):
    barriers = raw["how_well"]["barriers"]
    assert barriers["people"] == 1
    assert {k: v for k, v in rows(barriers["rows"]).items() if v} == {"transport": 1, "cost": 1}
    themes = raw["how_well"]["themes"]
    assert themes["people"] == 2
    assert {k: v for k, v in rows(themes["rows"]).items() if v} == {"reduce_isolation": 2, "nature": 1}


def test_language_of_choice_is_the_latest_13(raw):
    language = raw["how_well"]["language"]
    assert language["people"] == 4
    assert rows(language["rows"]) == {"cy": 2, "en": 2}


def test_safeguarding_and_carers(raw):
    assert raw["how_well"]["safeguarding"] == {"people": 1}
    assert raw["how_much"]["carers"] == {"people": 1}


def measure(raw, statement, item):
    return next(m for m in raw["better_off"]["measures"] if m["statement"] == statement and m["item"] == item)


def test_mental_wellbeing_paired_change_91(raw):
    m = measure(raw, 91, "score")
    # pairs: A 20 -> 25 (baseline before the period), B 18 -> 22 (latest follow-up); C's is after the period
    assert m["pairs"] == 2
    assert (m["baseline_mean"], m["follow_up_mean"], m["change"]) == (19, 23.5, 4.5)
    margin = T_975[1] * (math.sqrt(0.5) / math.sqrt(2))
    assert (m["ci_low"], m["ci_high"]) == (pytest.approx(4.5 - margin), pytest.approx(4.5 + margin))
    assert m["better"] == "higher"


def test_loneliness_paired_change_87(raw):
    m = measure(raw, 87, "score")
    assert m["pairs"] == 3
    assert m["change"] == pytest.approx(-4 / 3)
    margin = T_975[2] * math.sqrt(1 / 3) / math.sqrt(3)
    assert (m["ci_low"], m["ci_high"]) == (pytest.approx(-4 / 3 - margin), pytest.approx(-4 / 3 + margin))
    assert m["better"] == "lower"


def test_ons4_paired_change_per_item_64(raw):
    assert measure(raw, 64, "life_satisfaction")["change"] == pytest.approx(1.5)
    assert measure(raw, 64, "worthwhile")["change"] == pytest.approx(0.5)
    assert measure(raw, 64, "happiness")["change"] == pytest.approx(2.0)
    anxiety = measure(raw, 64, "anxiety")
    assert (anxiety["change"], anxiety["pairs"], anxiety["better"]) == (pytest.approx(-2.0), 2, "lower")


def test_green_and_blue_share(raw):
    green_blue = raw["better_off"]["green_blue"]
    assert green_blue["share"] == 0.75
    assert rows(green_blue["by_setting"]) == {"green": 2, "blue": 1, "other": 1}


def test_table2_measures_not_collected_are_listed(raw):
    assert raw["table2_not_collected"] == []  # all fifteen are collected (issue 17)


def test_small_numbers_are_suppressed_at_five(engine):
    figures = compute(engine, PERIOD, load_catalogue())
    referrals = figures["how_much"]["referrals"]
    assert referrals["total"] == 5 and figures["people"] == 6
    assert all(r["count"] is None and r["suppressed"] for r in referrals["by_route"] if r["key"] in ("self", "gp"))
    assert all(r["count"] is None for r in referrals["by_week"] if r["key"] != "2026-03-16")
    assert figures["how_much"]["what_matters"] == {"people": None, "referred_people": 5, "share": None}
    assert figures["how_well"]["time_to_first_contact"]["median"] is None
    assert figures["how_well"]["attendance"]["attended"] is None
    for m in figures["better_off"]["measures"]:
        assert m["pairs"] is None and m["change"] is None
    text = str(figures)
    for small in ("'count': 1", "'count': 2", "'count': 3", "'count': 4"):
        assert small not in text
