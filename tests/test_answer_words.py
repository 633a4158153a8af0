"""The words people answer with: in data files beside the catalogs, both languages, marked for review."""
from __future__ import annotations

import pytest
import yaml

from nlu import answers, text


# Concepts one language may leave empty, with a comment in its file saying why: English has no
# word that is a number only when it stands alone (Welsh "dim", "un": "dim diolch" is no thanks).
EMPTY_IN_ONE_LANGUAGE = {"numbers_only_alone"}


def test_every_concept_has_words_in_welsh_and_english():
    data = answers.by_language()
    assert set(data["cy"]) == set(data["en"])
    for concept, words in data["en"].items():
        if isinstance(words, dict):
            assert set(words) == set(data["cy"][concept]), concept
            for value in words:
                assert words[value] and data["cy"][concept][value], f"{concept}.{value} needs words in both"
        elif concept in EMPTY_IN_ONE_LANGUAGE:
            assert words or data["cy"][concept], f"{concept} needs words in one language at least"
        else:
            assert words and data["cy"][concept], f"{concept} needs words in both languages"


def test_welsh_words_are_marked_for_translator_review():
    for path in answers.files("cy"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "needs-review" in raw["review"] or "reviewed-by:" in raw["review"], path


def test_each_language_has_the_same_answer_files():
    assert [p.name for p in answers.files("cy")] == [p.name for p in answers.files("en")]
    assert "table2.yml" in [p.name for p in answers.files("en")]


def test_a_name_given_twice_across_a_languages_files_is_refused(tmp_path):
    for language in answers.LANGUAGES:
        (tmp_path / language / "answers").mkdir(parents=True)
        (tmp_path / language / "answers.yml").write_text("pause: [later]\n", encoding="utf-8")
        (tmp_path / language / "answers" / "more.yml").write_text("pause: [wedyn]\n", encoding="utf-8")
    with pytest.raises(answers.AnswerWordsError, match="pause"):
        answers.by_language(tmp_path)


def test_am_is_not_a_morning_in_either_language():
    assert "am" not in {w for ws in answers.groups("times_of_day").values() for w in map(text.phrase, ws)}


def test_folding_is_for_matching_only():
    assert text.nfc("gŵr a\u0302") == "gŵr â"
    assert text.fold("  NÔL! ") == "nol"
    assert text.words("nos, am saith") == ["nos", "am", "saith"]
    assert text.words("Dwi’n iawn") == ["dwi'n", "iawn"]
    assert text.key("Pen-y-bont ar Ogwr") == "pen y bont ar ogwr"
    assert text.plain_words("Helô") == ["helô"]
