"""The in-process NLU: a scikit-learn classifier per language trained from nlu/<lang>/*.yml.

Trained models are pickled under the cache dir, keyed by a hash of the training data, the
code version and the scikit-learn version, so a change to any of them retrains on first use.
What is pickled is the fitted pipeline's numbers (vocabularies, idf weights, coefficients), not
the pipeline: serving then never imports scikit-learn and SciPy, about 95 MB of a server's RSS
(bench/README.md). `cyswllt serve` trains a missing model in a child process for the same reason.
"""
from __future__ import annotations

import logging
import pickle
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
from filelock import FileLock

from config import config_path
from nlu.metrics import NLU_SECONDS
from nlu import entities, training_data
from nlu.decision import decide
from nlu.result import INTENTS, Parse
from nlu.text import nfc

log = logging.getLogger(__name__)

MODEL_VERSION = "embedded-5"
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


CHAR_GRAMS = (2, 5)
WORD_GRAMS = (1, 2)
TOKEN_PATTERN = r"(?u)\b\w+\b|[^\w\s]"


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    return make_pipeline(
        FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_GRAMS, sublinear_tf=True,
                                      min_df=1, lowercase=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=WORD_GRAMS, sublinear_tf=True,
                                      token_pattern=TOKEN_PATTERN, lowercase=True)),
        ]),
        LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced"),
    )


_WHITE_SPACES = re.compile(r"\s\s+")
_TOKEN = re.compile(TOKEN_PATTERN)


def _char_wb_grams(text: str) -> list[str]:
    """scikit-learn's analyzer="char_wb" (lowercased; n-grams inside space-padded words)."""
    low, high = CHAR_GRAMS
    grams = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        for n in range(low, high + 1):
            grams.extend(word[i:i + n] for i in range(max(1, len(word) - n + 1)))
            if len(word) <= n:   # a short word counts once, as scikit-learn counts it
                break
    return grams


def _word_grams(text: str) -> list[str]:
    """scikit-learn's analyzer="word" with TOKEN_PATTERN, lowercased, unigrams and bigrams."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [" ".join(pair) for pair in zip(tokens, tokens[1:])]


class EmbeddedModel:
    """One trained classifier for one language, as plain numbers.

    Scores as the fitted pipeline's predict_proba does (tests/nlu/test_embedded.py compares the
    two): per-vectorizer sublinear tf * idf, l2-normalised, concatenated, then the multinomial
    logistic regression's softmax; without scikit-learn's per-call overhead (~1 ms -> ~0.1 ms).
    """

    def __init__(self, pipeline, lang: str, data_hash: str):
        union, lr = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.lang = lang
        self.data_hash = data_hash
        self.classes = [str(c) for c in lr.classes_]
        self.parts = []
        offset = 0
        for analyze, (_, vec) in zip((_char_wb_grams, _word_grams), union.transformer_list):
            self.parts.append((analyze, dict(vec.vocabulary_), np.asarray(vec.idf_), offset))
            offset += len(vec.vocabulary_)
        coef, intercept = np.asarray(lr.coef_), np.asarray(lr.intercept_)
        if coef.shape[0] == 1:
            # A binary model (the safeguarding screen's learned reader, bot/risk_model.py) has one
            # column, the positive class's log-odds: a softmax over (0, z) is its sigmoid.
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        self.coef_t = np.ascontiguousarray(coef.T)  # features x classes
        self.intercept = intercept

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

    def predict_proba(self, text: str) -> np.ndarray:
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
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def parse(self, text: str) -> Parse:
        found = entities.find_entities((text or "")[:MAX_CHARS])
        probs = self.predict_proba(features_text(text or "", found))
        intent, confidence = decide(dict(zip(self.classes, probs.tolist())), MIN_CONFIDENCE)
        return Parse(intent, round(confidence, 4), found)


def cache_key(lang: str) -> str:
    return training_data.data_hash(lang, MODEL_VERSION, version("scikit-learn"), _gazetteer_stamp())


def _gazetteer_stamp() -> str:
    root = config_path("data")
    return "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*.yml")))


def cache_path(lang: str, cache_dir: Path) -> Path:
    return cache_dir / f"embedded-{lang}-{cache_key(lang)}.pkl"


# Models this process has already read, by file and its version: the file's name holds the hash
# of all a model depends on, and a model is never changed once made. An app is built per test.
_LOADED: dict[tuple[Path, int], object] = {}


def load_or_train(lang: str, cache_dir: Path) -> EmbeddedModel:
    """The cached model for this language if the data is unchanged, else a freshly trained one."""
    return cached(cache_path(lang, cache_dir), lambda: EmbeddedModel.train(lang))


def cached(path: Path, train):
    """The model pickled at `path` (its name holds the data's hash), else `train()` pickled there.
    Also caches the safeguarding screen's learned reader (bot/risk_model.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _LOADED[path, path.stat().st_mtime_ns]
    except (FileNotFoundError, KeyError):
        pass
    model = _load_or_train_locked(path, train)
    _LOADED[path, path.stat().st_mtime_ns] = model
    return model


def _load_or_train_locked(path: Path, train):
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

    # About 0.1 ms a message: parsed in the turn (see NLUBackend), not before it, which would
    # cost a connection and a read of the person's language for each message.
    in_process = True

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
        """Load or train both languages now rather than on the first message.

        A missing model is trained in a child process: training imports scikit-learn, which a
        server would otherwise keep resident for good."""
        for lang in LANGS:
            if lang not in self._models and not cache_path(lang, self.cache_dir).exists():
                subprocess.run([sys.executable, "-m", "nlu.embedded", lang, str(self.cache_dir)], check=True,
                               cwd=Path(__file__).resolve().parents[1])
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


if __name__ == "__main__":   # python -m nlu.embedded LANG CACHE_DIR: train (warm_up's child process)
    from nlu.embedded import load_or_train as train   # pickled as nlu.embedded's, not __main__'s
    train(sys.argv[1], Path(sys.argv[2]))
