"""The in-process NLU: a scikit-learn classifier per language trained from nlu/<lang>/*.yml.

Trained models are pickled under the cache dir, keyed by a hash of the training data, the
code version and the scikit-learn version, so a change to any of them retrains on first use.
"""
from __future__ import annotations

import logging
import pickle
import re
import time
from pathlib import Path

import numpy as np
import sklearn
from filelock import FileLock
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from config import config_path
from nlu.metrics import NLU_SECONDS
from nlu import entities, training_data
from nlu.decision import decide
from nlu.result import INTENTS, Parse
from nlu.text import nfc

log = logging.getLogger(__name__)

MODEL_VERSION = "embedded-4"
LANGS = ("en", "cy")
MAX_CHARS = 1000  # a 5,000-character message is classified on its first 1,000 characters
# Below this the top intent is not trusted and the message is treated as out of scope
# (logistic regression spreads probability over 15 intents, so its scores run low).
MIN_CONFIDENCE = 0.2
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Normalise what people type (curly quotes, control characters, case) for the classifier."""
    text = nfc(text)[:MAX_CHARS]
    text = _CONTROL.sub(" ", text).replace("\u2019", "'").replace("\u2018", "'")
    return text.lower().strip()


def features_text(text: str, found=None) -> str:
    """The cleaned text plus a marker per entity found, so "X in Y" generalises to unseen places."""
    if found is None:
        found = entities.find_entities(text)
    markers = " ".join(f"zzent{e.entity}" for e in found)
    return f"{clean(text)} {markers}".strip()


def _pipeline():
    return make_pipeline(
        FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                      min_df=1, lowercase=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b|[^\w\s]", lowercase=True)),
        ]),
        LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced"),
    )


class FastScorer:
    """The fitted pipeline's arithmetic without sklearn's per-call overhead (~1 ms -> ~0.1 ms).
    Also used by the safeguarding screen's learned reader (bot/risk_model.py), a binary model.

    Same numbers as pipeline.predict_proba: per-vectorizer sublinear tf * idf, l2-normalised,
    concatenated, then the multinomial logistic regression's softmax (tests/nlu/test_fast_scorer.py
    holds it to predict_proba on both trained models, ~1,700 texts each, to 1e-9).
    """

    def __init__(self, pipeline):
        union, lr = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.parts = []
        offset = 0
        for _, vec in union.transformer_list:
            self.parts.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_, offset))
            offset += len(vec.vocabulary_)
        self.coef_t = np.ascontiguousarray(lr.coef_.T)  # features x classes
        self.intercept = lr.intercept_

    def predict_proba(self, text: str) -> np.ndarray:
        scores = self.decision(text)
        if len(scores) == 1:  # a binary model: one column, the positive class's log-odds
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def decision(self, text: str) -> np.ndarray:
        """The linear scores (log-odds) before the softmax or sigmoid."""
        scores = self.intercept.copy()
        for analyze, vocab, idf, offset in self.parts:
            counts: dict[int, int] = {}
            for gram in analyze(text):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            w = (1.0 + np.log(tf)) * idf[idx]
            w /= np.sqrt((w * w).sum())
            scores += w @ self.coef_t[idx + offset]
        return scores


_FastScorer = FastScorer  # the name models pickled before the rename were saved under


class EmbeddedModel:
    """One trained classifier for one language."""

    def __init__(self, pipeline, lang: str, data_hash: str):
        self.pipeline = pipeline
        self.lang = lang
        self.data_hash = data_hash
        self.classes = [str(c) for c in pipeline.classes_]
        self.scorer = FastScorer(pipeline)

    @classmethod
    def train(cls, lang: str) -> EmbeddedModel:
        examples = [ex for f in training_data.training_files(lang)
                    for ex in training_data.load_examples(f)]
        unknown = {ex.intent for ex in examples} - set(INTENTS)
        if unknown:
            raise ValueError(f"nlu/{lang}: unknown intents {sorted(unknown)}")
        pipeline = _pipeline()
        pipeline.fit([features_text(ex.text) for ex in examples], [ex.intent for ex in examples])
        return cls(pipeline, lang, cache_key(lang))

    def parse(self, text: str) -> Parse:
        found = entities.find_entities((text or "")[:MAX_CHARS])
        probs = self.scorer.predict_proba(features_text(text or "", found))
        intent, confidence = decide(dict(zip(self.classes, probs.tolist())), MIN_CONFIDENCE)
        return Parse(intent, round(confidence, 4), found)


def cache_key(lang: str) -> str:
    return training_data.data_hash(lang, MODEL_VERSION, sklearn.__version__, _gazetteer_stamp())


def _gazetteer_stamp() -> str:
    root = config_path("data")
    return "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*.yml")))


def load_or_train(lang: str, cache_dir: Path) -> EmbeddedModel:
    """The cached model for this language if the data is unchanged, else a freshly trained one."""
    return cached(cache_dir / f"embedded-{lang}-{cache_key(lang)}.pkl", lambda: EmbeddedModel.train(lang))


def cached(path: Path, train):
    """The model pickled at `path` (its name holds the data's hash), else `train()` pickled there.
    Also caches the safeguarding screen's learned reader (bot/risk_model.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if path.exists():
            try:
                with path.open("rb") as fh:
                    return pickle.load(fh)
            except Exception:  # a half-written or foreign pickle: retrain rather than fail
                log.warning("model cache %s unreadable; retraining", path)
        model = train()
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(path)
        return model


class EmbeddedBackend:
    """The NLUBackend used by default: models for both languages, trained or loaded lazily."""

    def __init__(self, cache_dir: str | Path, default_lang: str = "cy"):
        self.cache_dir = Path(cache_dir)
        self.default_lang = default_lang
        self._models: dict[str, EmbeddedModel] = {}

    def model(self, lang: str) -> EmbeddedModel:
        lang = lang if lang in LANGS else self.default_lang
        if lang not in self._models:
            self._models[lang] = load_or_train(lang, self.cache_dir)
        return self._models[lang]

    def warm_up(self) -> None:
        """Load or train both languages now rather than on the first message."""
        for lang in LANGS:
            self.model(lang)

    def parse(self, text: str, lang: str) -> Parse:
        started = time.perf_counter()
        try:
            return self.model(lang).parse(text if isinstance(text, str) else "")
        except Exception:  # the dispatcher must always get an answer; the log says why
            log.exception("embedded NLU failed on a message; answering out_of_scope")
            return Parse("out_of_scope", 0.0, ())
        finally:
            NLU_SECONDS.labels(backend="embedded").observe(time.perf_counter() - started)
