"""A learned second reader for the safeguarding screen: evidence for the gentle check only.

The phrase lexicon (bot/risk_phrases.py) misses indirect disclosures it was never shown: quiet
preparation, scenes of danger, abuse told without an abuse verb, third parties. On the blind
fifth set it caught 0.40 (cy) / 0.50 (en) of disclosures. This classifier reads what the lexicon
found nothing in and, above THRESHOLD, asks the gentle check ("are you safe?"). It never gives
the crisis reply: a wrong gentle check to someone bereaved is mild, a crisis reply is not.

A TF-IDF over character n-grams (char_wb 2-5: mutations, typos, dialect) and words, joint for
both languages with a language token, and a class-weighted logistic regression, trained from the
labelled sets shipped in config/safeguarding/training/ (all but the blind fifth set, which is
never trained on). Trained on first use and pickled under the NLU cache dir, keyed by a hash of
the data, MODEL_VERSION and the scikit-learn version; nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from importlib.metadata import version

import numpy as np

from bot.screen_evaluation import Labelled, load_labelled
from config import config_path
from nlu import training_data as nlu_training
from nlu.embedded import CHAR_GRAMS, TOKEN_PATTERN, WORD_GRAMS, EmbeddedModel, cached
from nlu.language import detect_language

MODEL_VERSION = "risk-model-4"
MAX_CHARS = 1000
# 0.60, above what cross-validation alone suggested (0.45, bench/risk_model_cv.py): at 0.45 the
# conversation tests' ordinary What Matters answers ("Getting out of the house more, I've been on
# my own since my wife died", 0.52) were asked "are you safe?". At 0.60 the model alone finds
# 0.73 of held-out-fold disclosures and asks 0.04 of non-risk messages; the figures per threshold are printed by the bench.
# Lower asks more bereaved and lonely people "are you safe?"; higher lets indirect disclosures through.
THRESHOLD = 0.60
C = 4.0
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


def data_hash() -> str:
    digest = hashlib.sha256(f"{MODEL_VERSION} {version('scikit-learn')} {THRESHOLD} {C}".encode())
    for file in training_files():
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    for lang in ("cy", "en"):
        digest.update(nlu_training.data_hash(lang).encode())
    return digest.hexdigest()[:16]


class RiskModel:
    """The trained classifier: `flags(text)` is True when it asks for a gentle check."""

    def __init__(self, fitted, key: str, threshold: float = THRESHOLD):
        self.key = key
        self.threshold = threshold
        # Plain numbers, the same figures as the fitted pipeline's predict_proba (~10x quicker, and
        # neither pickled nor served with scikit-learn).
        self.scorer = EmbeddedModel(fitted, "risk", key)

    @classmethod
    def train(cls) -> RiskModel:
        messages = training_messages()
        if not messages:
            raise FileNotFoundError(f"no training messages in {config_path('safeguarding', 'training')}")
        fitted = pipeline().fit([features(m.text) for m in messages], labels(messages))
        return cls(fitted, data_hash())

    def score(self, text: str) -> float:
        return float(self.scorer.predict_proba(features(text))[1])

    def flags(self, text: str) -> bool:
        return long_enough(text) and self.score(text) >= self.threshold


@lru_cache(maxsize=4)
def load_or_train(cache_dir: str) -> RiskModel:
    """The cached model if the data is unchanged, else a freshly trained one (once per process)."""
    return cached(Path(cache_dir).expanduser() / f"risk-model-{data_hash()}.pkl", RiskModel.train)
