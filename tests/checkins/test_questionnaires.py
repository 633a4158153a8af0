"""Questionnaire definitions: every text bilingual and marked for review, scoring as published."""
from __future__ import annotations

import re

import pytest
import yaml

from bot.catalog import Catalog, CatalogError, placeholders
from bot.questionnaire_files import QUESTIONNAIRE_DIR, load_questionnaires
from flows.questionnaires import QuestionnaireError, score

LOADED = load_questionnaires()
ONS4, LONELINESS, SWEMWBS = (LOADED.questionnaires[q] for q in ("ons4", "ons_loneliness", "swemwbs"))


def test_the_instruments_ship():
    assert set(LOADED.questionnaires) == {"ons4", "ons_loneliness", "swemwbs", "mhc_social"}
    assert [i.id for i in ONS4.items] == ["life_satisfaction", "worthwhile", "happiness", "anxiety"]
    assert [i.id for i in LONELINESS.items] == ["lack_companionship", "left_out", "isolated", "direct"]
    assert len(SWEMWBS.items) == 7


def test_every_questionnaire_text_has_welsh_and_english_with_the_same_placeholders():
    failures = [f"{key}: Welsh or English is empty" for key, texts in sorted(LOADED.texts.items())
                if not (texts["cy"].strip() and texts["en"].strip())]
    failures += [f"{key}: Welsh has {sorted(placeholders(texts['cy']))}, English {sorted(placeholders(texts['en']))}"
                 for key, texts in sorted(LOADED.texts.items())
                 if placeholders(texts["cy"]) != placeholders(texts["en"])]
    assert not failures, f"{len(failures)} questionnaire texts are not bilingual alike:\n" + "\n".join(failures)


@pytest.mark.parametrize("qid", sorted(LOADED.questionnaires))
def test_welsh_is_marked_for_review_and_source_and_licence_are_named(qid):
    about = LOADED.about[qid]
    assert re.search(r"needs-review|reviewed-by:", about["welsh"])
    assert about["source"] and about["licence"] and about["attribution"]


def test_swemwbs_names_its_licensor_and_registration():
    data = yaml.safe_load((QUESTIONNAIRE_DIR / "swemwbs.yml").read_text(encoding="utf-8"))
    assert "University of Warwick" in data["attribution"]
    assert "register" in data["licence"] and data["requires_registration"] is True


def test_the_english_wording_is_the_harmonised_ons_wording():
    en = {key: value["en"] for key, value in LOADED.texts.items()}
    assert "Overall, how satisfied are you with your life nowadays?" in en["q.ons4.life_satisfaction"]
    assert "Overall, how happy did you feel yesterday?" in en["q.ons4.happiness"]
    assert "How often do you feel lonely?" in en["q.ons_loneliness.direct"]


def test_welsh_letters_are_kept():
    welsh = " ".join(t["cy"] for t in LOADED.texts.values())
    assert "â" in welsh and "ï" in welsh


def test_questionnaire_texts_join_the_catalog_and_may_not_clash_with_it():
    catalog = Catalog.load(extra=LOADED.texts)
    assert catalog.text("q.ons4.happiness", "cy", number=3, total=15).startswith("(3/15) At ei gilydd")
    with pytest.raises(CatalogError, match="menu.prompt"):
        Catalog.load(extra={"menu.prompt": {"cy": "x", "en": "x"}})


@pytest.mark.parametrize("value, band", [(0, "low"), (4, "low"), (5, "medium"), (6, "medium"), (7, "high"),
                                         (8, "high"), (9, "very_high"), (10, "very_high")])
def test_ons_bands_for_the_positive_questions(value, band):
    [result] = [s for s in score(ONS4, {"life_satisfaction": value}) if s.measure == "life_satisfaction"]
    assert result.band == band


@pytest.mark.parametrize("value, band", [(0, "very_low"), (1, "very_low"), (2, "low"), (3, "low"),
                                         (4, "medium"), (5, "medium"), (6, "high"), (10, "high")])
def test_ons_bands_for_anxiety(value, band):
    [result] = [s for s in score(ONS4, {"anxiety": value}) if s.measure == "anxiety"]
    assert result.band == band


def test_ucla_three_items_sum_from_3_to_9_and_a_skip_gives_no_score():
    results = {s.measure: s for s in score(LONELINESS, {"lack_companionship": 3, "left_out": 3, "isolated": 3,
                                                        "direct": 1})}
    assert results["ucla3"].value == 9 and results["direct"].value == 1
    low = {s.measure: s for s in score(LONELINESS, {"lack_companionship": 1, "left_out": 1, "isolated": 1})}
    assert low["ucla3"].value == 3 and low["direct"].value is None
    skipped = {s.measure: s for s in score(LONELINESS, {"lack_companionship": 1, "left_out": None, "isolated": 1})}
    assert skipped["ucla3"].value is None


def test_swemwbs_converts_raw_to_metric_with_the_published_table():
    items = [i.id for i in SWEMWBS.items]
    metric = {raw: score(SWEMWBS, dict(zip(items, _spread(raw))))[0] for raw in range(7, 36)}
    assert metric[7].value == 7.00 and metric[21].value == 19.25 and metric[35].value == 35.00
    values = [metric[raw].value for raw in range(7, 36)]
    assert values == sorted(values) and len(set(values)) == 29
    assert all(metric[raw].raw == raw for raw in metric)


# The SWEMWBS raw-to-metric conversion table as Warwick Medical School publishes it with the scale
# (https://warwick.ac.uk/fac/med/research/platform/wemwbs/researchers/guidance/, from the Rasch analysis
# in Stewart-Brown et al. 2009, Health and Quality of Life Outcomes 7:15), typed row by row from that
# table and checked against independent published copies of it; every row is pinned so a slip in the YAML fails.
PUBLISHED_SWEMWBS_METRIC = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73,
    24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13,
    32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}


def test_swemwbs_table_matches_the_published_conversion_row_for_row():
    [measure] = [m for m in SWEMWBS.measures if m.kind == "table"]
    assert dict(measure.table) == PUBLISHED_SWEMWBS_METRIC
    items = [i.id for i in SWEMWBS.items]
    scored = {raw: score(SWEMWBS, dict(zip(items, _spread(raw))))[0].value for raw in range(7, 36)}
    assert scored == PUBLISHED_SWEMWBS_METRIC


def _spread(raw: int) -> list[int]:
    """Seven answers of 1-5 adding up to raw."""
    answers, left = [1] * 7, raw - 7
    for i in range(7):
        extra = min(4, left)
        answers[i] += extra
        left -= extra
    return answers


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("licence"), "licence is required"),
    (lambda d: d["intro"].pop("cy"), "intro.cy"),
    (lambda d: d["items"][0].update(scale="nope"), "scale 'nope'"),
    (lambda d: d["measures"][0]["table"].pop(7), "table must cover 7..35"),
    (lambda d: d["scales"]["frequency"]["options"].reverse(), "1, 2, 3"),
])
def test_a_malformed_definition_is_refused_naming_the_file_and_field(tmp_path, change, message):
    data = yaml.safe_load((QUESTIONNAIRE_DIR / "swemwbs.yml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "broken.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=re.escape(message)) as raised:
        load_questionnaires(tmp_path)
    assert "broken.yml" in str(raised.value)


def test_a_setting_naming_an_unknown_questionnaire_is_refused_by_name():
    with pytest.raises(QuestionnaireError, match="CYSWLLT_CHECKINS_QUESTIONNAIRES names 'wemwbs14'"):
        load_questionnaires(wanted=["ons4", "wemwbs14"])
