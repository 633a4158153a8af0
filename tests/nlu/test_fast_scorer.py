"""The embedded NLU's own scorer gives scikit-learn's predict_proba, number for number.

EmbeddedModel scores with its own arithmetic (sklearn's per-call overhead was ~1 ms of a ~0.1 ms
sum); this holds it to the fitted pipeline's predict_proba, on the real trained models of both
languages, for the texts they were trained on, the held-out test texts, the safeguarding sets and
texts they never saw (typos, no known words at all, empty, very long).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from nlu import embedded, training_data
from nlu.embedded import features_text

LABELLED = Path(__file__).resolve().parents[1] / "safeguarding" / "labelled"
UNSEEN = [
    "", " ", "?", "😀😀", "zzzz qqqq xxxx", "12345", "1 a 4, hefyd bod allan yn yr awyr agored",
    "3 and 2, mental health mostly", "nos, am saith", "i wnt to refr myslef pls", "englsh pls",
    "Cymraeg os gwelwch yn dda", "something for my 8 year old in Wrexham", "pethau i'w gwneud yng Nghaerdydd",
    "STOP", "stopiwch", "Ŵ ŷ â ï ê ô û", "help " * 200, "ffôn\x00symudol", "“curly” ‘quotes’",
]


def _texts(lang: str) -> list[str]:
    texts = [ex.text for path in training_data.training_files(lang) for ex in training_data.load_examples(path)]
    texts += [ex.text for ex in training_data.load_examples(training_data.NLU_DIR / lang / "test.yml")]
    for part in ("dev", "heldout", "second"):
        data = yaml.safe_load((LABELLED / f"{lang}-{part}.yml").read_text(encoding="utf-8"))
        texts += [item["text"] for item in _items(data)]
    return texts + UNSEEN


def _items(data) -> list[dict]:
    items = data.get("messages", data) if isinstance(data, dict) else data
    return [item for item in items if isinstance(item, dict) and "text" in item]


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_the_embedded_model_gives_sklearns_probabilities(lang):
    examples = [ex for path in training_data.training_files(lang) for ex in training_data.load_examples(path)]
    pipeline = embedded._pipeline()
    pipeline.fit([features_text(ex.text) for ex in examples], [ex.intent for ex in examples])
    model = embedded.EmbeddedModel(pipeline, lang, "test")
    texts = _texts(lang)
    assert len(texts) > 300
    features = [features_text(text) for text in texts]
    expected = pipeline.predict_proba(features)
    got = np.array([model.predict_proba(text) for text in features])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert model.classes == [str(c) for c in pipeline.classes_]
