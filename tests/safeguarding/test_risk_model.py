"""The learned second reader (bot/risk_model.py): trained from shipped data; the gentle check, and
the crisis tier only from its tier reader's strong evidence on a message the phrase list does not guard."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench import risk_model_cv
from bot.risk_model import (
    CLEAR_ALONE, CLEAR_WITH_PHRASE, RiskModel, clear_evidence, load_or_train, long_enough, training_files, training_only,
)
from bot.risk_phrases import RiskPhrases
from bot.safeguarding import MODEL, Detection, detect_risk
from nlu.embedded import EmbeddedModel
from nlu.result import Parse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABELLED = PROJECT_ROOT / "tests/safeguarding/labelled"
PHRASES = RiskPhrases.load("config/safeguarding/phrases.yml")
NOTHING = Parse("out_of_scope", 0.0)


class Always:
    """A model that flags everything: what the screen does with its evidence, whatever it scores."""

    def flags(self, text: str) -> bool:
        return True

    def clear_reading(self, text: str) -> tuple[float, tuple[str, ...]]:
        return 0.0, ()


class Strong(Always):
    """A model whose tier reader is sure of a clear disclosure (`strength`) of `categories`."""

    def __init__(self, strength: float, categories: tuple[str, ...] = ("suicide",)):
        self.strength, self.categories = strength, categories

    def clear_reading(self, text: str) -> tuple[float, tuple[str, ...]]:
        return (self.strength, self.categories) if long_enough(text) else (0.0, ())


# A fresh process trains into an empty cache, as a server does on its first start after a deploy.
FIRST_START = ("import sys; from bot.risk_model import load_or_train; load_or_train(sys.argv[1]); "
               "print(sorted(name for name in ('sklearn', 'scipy') if name in sys.modules))")


@pytest.fixture(scope="module")
def first_start(tmp_path_factory) -> tuple[str, str]:
    folder = str(tmp_path_factory.mktemp("risk-model-cache"))
    done = subprocess.run([sys.executable, "-c", FIRST_START, folder], capture_output=True, text=True, check=True,
                          cwd=PROJECT_ROOT)
    return folder, done.stdout.strip()


@pytest.fixture(scope="module")
def model(first_start) -> RiskModel:
    return load_or_train(first_start[0])


def test_training_on_a_first_start_leaves_scikit_learn_out_of_the_serving_process(first_start, model):
    assert first_start[1] == "[]"
    assert model.score("dw i am ladd fy hun heno") > model.score("dw i am fynd i'r caffi heno")


def test_it_is_trained_from_the_shipped_copies_of_every_labelled_set_but_the_blind_one():
    shipped = {f.name: f for f in training_files() if not training_only(f)}
    labelled = sorted(LABELLED.glob("*.yml"))
    blind = {f.name for f in labelled if yaml.safe_load(f.read_text(encoding="utf-8")).get("blind")}
    assert blind and not blind & {f.name for f in training_files()}, "the blind set is never trained on"
    assert set(shipped) == {f.name for f in labelled} - blind
    for f in labelled:
        if f.name in shipped:  # the shipped copy is the labelled set, not a drifted one
            assert shipped[f.name].read_bytes() == f.read_bytes(), f.name
    assert all("config/safeguarding/training" in f.as_posix() for f in shipped.values())


def test_training_only_files_are_marked_and_are_not_labelled_sets():
    extra = [f for f in training_files() if training_only(f)]
    assert extra, "the training-only messages (*-screen5-train.yml) are shipped"
    for f in extra:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert data["training_only"] is True and not (LABELLED / f.name).exists(), f.name
        assert {m["label"] for m in data["messages"]} <= {"risk", "ambiguous", "none"}
        if data["language"] == "cy":
            assert "needs-review" in f.read_text(encoding="utf-8").split("messages:")[0], f.name


def test_the_trained_model_is_cached_by_a_hash_of_its_data(model, tmp_path_factory):
    folder = Path(tmp_path_factory.getbasetemp())
    assert list(folder.glob(f"risk-model-cache*/risk-model-{model.key}.pkl"))


def test_its_gentle_evidence_is_a_gentle_check_never_clear_and_never_a_second_detector():
    text = "I showed my son where the insurance papers are kept"
    assert detect_risk(PHRASES, text, NOTHING, 0.35) is None
    detection = detect_risk(PHRASES, text, NOTHING, 0.35, Always())
    assert detection == Detection((), False, "possible", by_model=True)
    assert detection.tier == "possible" and detection.level == "concern"
    assert detection.detected_by == [MODEL]


def test_strong_tier_evidence_alone_is_the_crisis_tier_with_its_category():
    text = "I showed my son where the insurance papers are kept"
    below = detect_risk(PHRASES, text, NOTHING, 0.35, Strong(CLEAR_ALONE - 0.01))
    assert below.tier == "possible", "below CLEAR_ALONE the reader's evidence is the gentle check"
    detection = detect_risk(PHRASES, text, NOTHING, 0.35, Strong(CLEAR_ALONE, ("abuse", "immediate_danger")))
    assert (detection.tier, detection.category, detection.by_model) == ("clear", "immediate_danger", True)
    assert detection.level == "emergency" and detection.detected_by == ["abuse", "immediate_danger", MODEL]
    assert detect_risk(PHRASES, "papers kept", NOTHING, 0.35, Strong(1.0)).tier == "possible", "too short"


def test_the_phrase_lists_possible_and_middling_tier_evidence_are_two_signals_for_the_crisis_tier():
    text = "I'm so tired of everything"  # ambiguous wording: the phrase list's "possible"
    assert PHRASES.assess(text).possible and not PHRASES.assess(text).clear
    assert detect_risk(PHRASES, text, NOTHING, 0.35, Strong(CLEAR_WITH_PHRASE - 0.01)).tier == "possible"
    both = detect_risk(PHRASES, text, NOTHING, 0.35, Strong(CLEAR_WITH_PHRASE, ("self_harm",)))
    assert both.tier == "clear" and both.category == "suicide", "the phrase list's category comes first"
    assert both.categories == ("suicide", "self_harm")


@pytest.mark.parametrize("text", [
    "since my brother passed away I can't sleep or eat",  # loss
    "the funeral was on friday and the house is so quiet now",
    "mae mam wedi marw a dw i ddim yn gwybod beth i wneud efo fy hun",
    "collais i fy ngŵr llynedd a does dim byd yr un peth",
    "I'm so lonely these days, nobody to talk to from one week to the next",  # lonely
    "dw i mor unig, teimlo fel bod pawb wedi anghofio amdana i",
    "I took an overdose when I was a student, I'm in a good place now",  # history
    "if they cancel the bingo again I'll jump off the pier lol",  # joke
    "my friend's husband hits her, how can I help her",  # helping
    "dwi ddim isio marw, dwi jyst isio teimlo'n well",  # a death wish denied
    "I don't want to die before I see my grandson again",
])
def test_loss_loneliness_history_jokes_and_helping_never_get_the_crisis_tier_from_the_reader(text):
    assert PHRASES.guard(text), text
    detection = detect_risk(PHRASES, text, NOTHING, 0.35, Strong(1.0))
    assert detection is None or detection.tier == "possible", (text, detection)


def test_an_idiom_set_aside_is_never_read_by_the_tier_reader_either():
    assert detect_risk(PHRASES, "my feet are killing me after that walk", NOTHING, 0.35, Strong(1.0)) is None


def test_a_message_without_guard_words_is_not_guarded():
    for text in ("I've put the tablets out on the table and written to the kids",
                 "mae dyn tu allan efo cyllell yn trio dod i mewn", "I want to die"):
        assert PHRASES.guard(text) == "", text


def test_clear_evidence_sums_the_categories_and_keeps_the_likely_ones():
    classes = ["abuse", "immediate_danger", "rest", "self_harm", "suicide"]
    strength, categories = clear_evidence(classes, [0.30, 0.26, 0.04, 0.05, 0.35])
    assert abs(strength - 0.96) < 1e-9 and categories == ("suicide", "abuse", "immediate_danger")
    assert clear_evidence(classes, [0.0, 0.0, 0.9, 0.0, 0.1]) == (0.1, ("suicide",))


def test_it_is_asked_only_when_the_lexicon_found_nothing_and_no_idiom():
    clear = detect_risk(PHRASES, "I want to kill myself", NOTHING, 0.35, Always())
    assert clear.tier == "clear" and not clear.by_model
    assert detect_risk(PHRASES, "my feet are killing me", NOTHING, 0.35, Always()) is None


def test_a_short_answer_is_never_read_by_it(model):
    for text in ("2", "1", "hi", "yes", "tomorrow at 10", "nac ydw"):
        assert not model.flags(text), text
        assert model.clear_reading(text) == (0.0, ()), text


def test_the_trained_tier_reader_reads_clear_disclosures_and_leaves_ambiguous_and_everyday_wording(model):
    from bot.risk_model import training_messages

    messages = [m for m in training_messages() if long_enough(m.text)]
    risk = [m for m in messages if m.label == "risk"]
    rest = [m for m in messages if m.label != "risk"]
    assert sum(model.clear_reading(m.text)[0] >= CLEAR_ALONE for m in risk) / len(risk) > 0.8
    assert sum(model.clear_reading(m.text)[0] >= CLEAR_WITH_PHRASE for m in rest) / len(rest) < 0.01
    right = sum(model.clear_reading(m.text)[1][0] == m.category for m in risk)
    assert right / len(risk) > 0.9, "its likeliest category is the labelled one"


def test_the_trained_model_has_learned_its_sets_and_leaves_a_plain_message(model):
    from bot.risk_model import training_messages

    messages = [m for m in training_messages() if long_enough(m.text)]
    risk = [m for m in messages if m.label != "none"]
    none = [m for m in messages if m.label == "none"]
    assert sum(model.flags(m.text) for m in risk) / len(risk) > 0.9
    assert sum(model.flags(m.text) for m in none) / len(none) < 0.1
    assert not model.flags("what time does the walking group meet on tuesday")


def test_its_quick_scorer_gives_the_pipelines_figures():
    from bot.risk_model import features, pipeline, training_messages

    messages = training_messages()
    fitted = pipeline().fit([features(m.text) for m in messages], [m.label != "none" for m in messages])
    scorer = EmbeddedModel(fitted, "risk", "test")
    texts = [features(m.text) for m in messages[::7]] + [features(t) for t in ("", "2", "ŵ ŷ â 😀", "help " * 200)]
    expected = fitted.predict_proba(texts)[:, 1]
    got = [scorer.predict_proba(t)[1] for t in texts]
    assert max(abs(a - b) for a, b in zip(expected, got)) < 1e-9


def test_the_cross_validated_recall_is_printed(capsys):
    risk_model_cv.main(["--folds", "2"])
    out = capsys.readouterr().out
    assert "2-fold CV" in out and "CV recall" in out and "<- in use" in out
    assert "bereavement" in out and "loneliness" in out
    assert "crisis tier from the tier reader" in out and "crisis false alarms added by theme" in out
