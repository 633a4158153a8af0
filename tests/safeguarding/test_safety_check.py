"""The gentle check's answer words (config/safeguarding/check_answers.yml), read without a database."""
from __future__ import annotations

import pytest

from bot.safeguarding import ContactsError, load_check_answers
from bot.settings import load_settings
from flows.safety_check import NOT_SAFE, SAFE, TALK

ANSWERS = load_check_answers(load_settings(environ={}).safeguarding.check_answers_file)


@pytest.mark.parametrize("text,kind", [
    ("yes", SAFE), ("Yes I'm safe", SAFE), ("im ok", SAFE), ("I’m fine thanks", SAFE), ("ydw", SAFE),
    ("Ydw, rwy'n ddiogel", SAFE), ("dwi'n iawn diolch", SAFE), ("ie", SAFE),
    ("no", NOT_SAFE), ("No, I'm not safe", NOT_SAFE), ("i'm not", NOT_SAFE), ("nac ydw", NOT_SAFE),
    ("dwi ddim yn ddiogel", NOT_SAFE), ("sai'n iawn", NOT_SAFE), ("Nac ydw", NOT_SAFE),
    ("talk to someone", TALK), ("yes but can I talk to someone", TALK), ("siarad â rhywun", TALK),
    ("siarad a rhywun plis", TALK), ("Siarad â rhywun", TALK),
    ("no, I'm safe", None), ("hmm", None), ("what do you mean", None), ("", None),
])
def test_answers_are_read_in_welsh_and_english(text, kind):
    assert ANSWERS.read(text) == kind


def test_a_missing_answers_file_names_the_setting(tmp_path):
    with pytest.raises(ContactsError, match="safeguarding.check_answers_file"):
        load_check_answers(tmp_path / "nowhere.yml")
