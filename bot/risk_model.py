"""A learned second reader for the safeguarding screen: the gentle check, and guarded strong evidence.

The phrase lexicon (bot/risk_phrases.py) misses indirect disclosures it was never shown: quiet
preparation, scenes of danger, abuse told without an abuse verb, third parties. On the blind
fifth set it caught 0.40 (cy) / 0.50 (en) of disclosures. This classifier reads what the lexicon
found nothing in and, above THRESHOLD, asks the gentle check ("are you safe?"). Its own score
never gives the crisis reply: a wrong gentle check to someone bereaved is mild, a crisis reply is not.

Since risk-model-5 a second classifier on the same features, the tier reader, learns which
category of clear disclosure a message is (or none); its strong evidence reaches the crisis tier
(CLEAR_ALONE, CLEAR_WITH_PHRASE below), except where the phrase list guards the message.

A TF-IDF over character n-grams (char_wb 2-5: mutations, typos, dialect) and words, joint for
both languages with a language token, and a class-weighted logistic regression, trained from the
labelled sets shipped in config/safeguarding/training/ (all but the blind fifth set, which is
never trained on). Trained on first use and pickled under the NLU cache dir, keyed by a hash of
the data, MODEL_VERSION and the scikit-learn version; nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import pickle
import re
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from importlib.metadata import version

import numpy as np

from bot.screen_evaluation import Labelled, load_labelled
from config import config_path
from nlu import training_data as nlu_training
from nlu.embedded import CHAR_GRAMS, TOKEN_PATTERN, WORD_GRAMS, EmbeddedModel, cached
from nlu.language import detect_language

MODEL_VERSION = "risk-model-5"
MAX_CHARS = 1000
# 0.60, above what cross-validation alone suggested (0.45, bench/risk_model_cv.py): at 0.45 the
# conversation tests' ordinary What Matters answers ("Getting out of the house more, I've been on
# my own since my wife died", 0.52) were asked "are you safe?". At 0.60 the model alone finds
# 0.73 of held-out-fold disclosures and asks 0.04 of non-risk messages; the figures per threshold are printed by the bench.
# Lower asks more bereaved and lonely people "are you safe?"; higher lets indirect disclosures through.
THRESHOLD = 0.60
C = 4.0
# The tier reader (a second classifier, the same features): which category of CLEAR disclosure a
# message is, or none of them ("rest": ambiguous wording and non-risk alike). Its score, the sum of
# the four categories' probabilities, lets strong evidence reach the crisis tier
# (bot/safeguarding.py, docs/safety/screen-evaluation.md):
# - CLEAR_ALONE: the phrase list found nothing. Cross-validated (bench/risk_model_cv.py) at 0.90
#   it finds ~0.43 of disclosures and gives the crisis reply to ~0.3% of non-risk messages;
# - CLEAR_WITH_PHRASE: the phrase list found wording it holds ambiguous (tier possible): two
#   independent readers agreeing.
# Never for a message the phrase list set an idiom aside in, nor one it reads as past and
# recovered, a joke, help for someone else, someone's death told as loss, or loneliness
# (RiskPhrases.guard): those keep the gentle check.
CLEAR_ALONE = 0.90
CLEAR_WITH_PHRASE = 0.70
# A category whose own probability is at least this is among the detection's categories (the
# primary one is then chosen in CATEGORY_ORDER, immediate danger first).
CATEGORY_MIN = 0.25
REST = "rest"
# Shorter messages are menu answers, names, "2", "hi": too little text for the model to mean
# anything ("2" scored 0.57). Short disclosures are direct, and direct words are the lexicon's.
MIN_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+")


def training_files() -> list[Path]:
    """The labelled sets the model learns from (the blind fifth set is not shipped here), and
    training-only files (`training_only: true`, e.g. *-screen5-train.yml): messages written to
    teach the model, not a labelled test set and not a target of the lexicon's evaluation."""
    return sorted(config_path("safeguarding", "training").glob("*.yml"))


def training_only(path: Path) -> bool:
    """Whether a shipped file is training data only (no copy of it in tests/safeguarding/labelled)."""
    with path.open(encoding="utf-8") as f:
        head = "".join(line for line, _ in zip(f, range(40)))
    return bool(re.search(r"^training_only:\s*true\s*$", head, re.MULTILINE))


def training_messages() -> list[Labelled]:
    """The labelled sets, and what people ordinarily say to the bot (the NLU's training examples
    of every other intent) as non-risk: without them, "i want to refer myself" and "gwell gen i
    beidio" looked more like the sets' disclosures than their non-risk messages."""
    return [m for f in training_files() for m in load_labelled(f)] + everyday_messages()


def everyday_messages() -> list[Labelled]:
    return [Labelled(example.text, lang, "nlu", "none", theme="everyday_nlu")
            for lang in ("cy", "en") for file in nlu_training.training_files(lang)
            for example in nlu_training.load_examples(file) if example.intent != "risk"]


def features(text: str) -> str:
    """The text as the model reads it, with a token for its language (one model for both). The
    language is read from the text, in training as at run time: the screen runs before anyone
    has chosen a language."""
    text = (text or "")[:MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'")
    return f"zzlang{detect_language(text) or 'xx'} {text.lower()}"


def long_enough(text: str) -> bool:
    """Whether the message has enough words for the model to read it at all."""
    return len(_WORD.findall((text or "")[:MAX_CHARS])) >= MIN_WORDS


def pipeline(c: float = C):
    """The classifier, shaped as the embedded NLU's (nlu/embedded.py) so that its scorer reads it."""
    # scikit-learn is imported to train only: serving scores with plain numbers (EmbeddedModel).
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    return make_pipeline(
        FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_GRAMS, sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=WORD_GRAMS, sublinear_tf=True,
                                      token_pattern=TOKEN_PATTERN)),
        ]),
        LogisticRegression(C=c, class_weight="balanced", max_iter=2000),
    )


def labels(messages: list[Labelled]) -> np.ndarray:
    """A disclosure or ambiguous wording is 1 (it should get at least the gentle check), else 0."""
    return np.array([m.label != "none" for m in messages], dtype=int)


def tier_labels(messages: list[Labelled]) -> np.ndarray:
    """A disclosure's category (it must get the crisis tier); ambiguous and non-risk are REST."""
    return np.array([m.category if m.label == "risk" else REST for m in messages])


def data_hash() -> str:
    digest = hashlib.sha256(f"{MODEL_VERSION} {version('scikit-learn')} {THRESHOLD} {C}".encode())
    for file in training_files():
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    for lang in ("cy", "en"):
        digest.update(nlu_training.data_hash(lang).encode())
    return digest.hexdigest()[:16]


class RiskModel:
    """The trained classifiers: `flags(text)` is True when it asks for a gentle check;
    `clear_reading(text)` is the tier reader's evidence for the crisis tier."""

    def __init__(self, fitted, key: str, threshold: float = THRESHOLD, tier_fitted=None):
        self.key = key
        self.threshold = threshold
        # Plain numbers, the same figures as the fitted pipeline's predict_proba (~10x quicker, and
        # neither pickled nor served with scikit-learn).
        self.scorer = EmbeddedModel(fitted, "risk", key)
        self.tier_scorer = EmbeddedModel(tier_fitted, "risk-tier", key) if tier_fitted is not None else None

    @classmethod
    def train(cls) -> RiskModel:
        messages = training_messages()
        if not messages:
            raise FileNotFoundError(f"no training messages in {config_path('safeguarding', 'training')}")
        texts = [features(m.text) for m in messages]
        fitted = pipeline().fit(texts, labels(messages))
        return cls(fitted, data_hash(), tier_fitted=pipeline().fit(texts, tier_labels(messages)))

    def score(self, text: str) -> float:
        return float(self.scorer.predict_proba(features(text))[1])

    def flags(self, text: str) -> bool:
        return long_enough(text) and self.score(text) >= self.threshold

    def clear_reading(self, text: str) -> tuple[float, tuple[str, ...]]:
        """The tier reader's probability that this is a clear disclosure (0 for a short message),
        and the categories it finds likely, most likely first."""
        if self.tier_scorer is None or not long_enough(text):
            return 0.0, ()
        return clear_evidence(self.tier_scorer.classes, self.tier_scorer.predict_proba(features(text)))


def clear_evidence(classes: list[str], probabilities) -> tuple[float, tuple[str, ...]]:
    """From the tier reader's probabilities: P(a clear disclosure of any category), and the
    categories of at least CATEGORY_MIN (the likeliest always), most likely first."""
    by_class = {c: float(p) for c, p in zip(classes, probabilities) if c != REST}
    ranked = sorted(by_class, key=by_class.get, reverse=True)
    return sum(by_class.values()), tuple(c for i, c in enumerate(ranked) if i == 0 or by_class[c] >= CATEGORY_MIN)


@lru_cache(maxsize=4)
def load_or_train(cache_dir: str) -> RiskModel:
    """The cached model if the data is unchanged, else a freshly trained one (once per process)."""
    return cached(Path(cache_dir).expanduser() / f"risk-model-{data_hash()}.pkl", train_in_child)


def train_in_child() -> RiskModel:
    """RiskModel.train() in a child process. Training imports scikit-learn and SciPy (about 95 MB);
    trained in the server itself, they would stay resident for good after a fresh deploy."""
    with tempfile.TemporaryDirectory(prefix="cyswllt-risk-model-") as tmp:
        out = Path(tmp) / "model.pkl"
        subprocess.run([sys.executable, "-m", "bot.risk_model", str(out)], check=True,
                       cwd=Path(__file__).resolve().parents[1])
        with out.open("rb") as fh:
            return pickle.load(fh)


if __name__ == "__main__":   # python -m bot.risk_model OUT: train and pickle (train_in_child's child)
    from bot.risk_model import RiskModel as Trained   # pickled as bot.risk_model's, not __main__'s
    with open(sys.argv[1], "wb") as out_file:
        pickle.dump(Trained.train(), out_file)
