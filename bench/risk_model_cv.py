"""Benchmark: the learned second reader's cross-validated figures on its training sets.

    python -m bench.risk_model_cv                 # stratified 5-fold CV at THRESHOLD and nearby
    python -m bench.risk_model_cv --folds 3
    python -m bench.risk_model_cv --seed 1          # other folds: the spread across seeds is the noise

Trained and scored only on the shipped training sets (config/safeguarding/training/, every
labelled set but the blind fifth). Printed per threshold: the classifier's own recall on held-out
folds (disclosures and ambiguous wording it flags), and the share of non-risk messages it flags,
overall and among those the lexicon found nothing in (what becomes a gentle check when deployed).
The lexicon catches every training disclosure (it was tuned on them), so its union with the
model says nothing here; the model's own recall is the estimate of what it adds. The fifth set
is measured with `cyswllt safeguarding evaluate tests/safeguarding/labelled/*-fifth.yml`.
"""
from __future__ import annotations

import argparse

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from bot.dispatcher import NO_TEXT
from bot.risk_model import (MIN_WORDS, THRESHOLD, features, long_enough, labels, pipeline, training_files,
                            training_messages, training_only)
from bot.screen_evaluation import load_labelled
from bot.risk_phrases import RiskPhrases
from bot.safeguarding import detect_risk, screened_text
from bot.settings import load_settings


def cross_validate(folds: int = 5, seed: int = 0) -> dict:
    """Out-of-fold scores for every training message, with its label, language, theme and
    whether the lexicon found anything in it or set an idiom aside (then the model is not asked)."""
    messages = training_messages()
    y = labels(messages)
    scores = cross_val_predict(pipeline(), [features(m.text) for m in messages], y,
                               cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                               method="predict_proba")[:, 1]
    settings = load_settings(environ={})
    phrases = RiskPhrases.load(settings.safeguarding.phrases_file)
    # The model is asked only when the lexicon found nothing and set aside no idiom (detect_risk):
    # a message with an idiom set aside ("the boss is going to kill me") never gets its gentle check.
    lexicon = np.array([detect_risk(phrases, screened_text(m.text), NO_TEXT, 1.0) is not None
                        or phrases.assess(screened_text(m.text)).idiom for m in messages])
    long = np.array([long_enough(m.text) for m in messages])
    extra = {(m.language, m.part) for f in training_files() if training_only(f) for m in load_labelled(f)}
    tuned = np.array([m.theme != "everyday_nlu" and (m.language, m.part) not in extra for m in messages])
    return {"messages": messages, "y": y, "scores": scores, "lexicon": lexicon, "long": long, "tuned": tuned}


def figures(cv: dict, threshold: float, language: str | None = None, tuned_only: bool = False) -> dict:
    keep = np.array([language is None or m.language == language for m in cv["messages"]])
    if tuned_only:  # the labelled sets only: comparable whatever training-only data is added
        keep &= cv["tuned"]
    y, flagged, lexicon = cv["y"].astype(bool), (cv["scores"] >= threshold) & cv["long"], cv["lexicon"]
    pos, neg = keep & y, keep & ~y
    out = {"recall": flagged[pos].mean(), "flagged_non_risk": flagged[neg].mean(),
           "gentle_added": (flagged & ~lexicon)[neg].mean(), "n_risk": int(pos.sum()), "n_none": int(neg.sum())}
    for theme in ("bereavement", "loneliness"):
        mask = neg & np.array([m.theme == theme for m in cv["messages"]])
        out[theme] = (flagged & ~lexicon)[mask].mean() if mask.any() else 0.0
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="the folds' shuffle (a figure's spread across seeds is its noise)")
    args = parser.parse_args(argv)
    cv = cross_validate(args.folds, args.seed)
    print(f"== learned second reader: stratified {args.folds}-fold CV on {len(cv['messages'])} training "
          f"messages (threshold in use {THRESHOLD}; messages under {MIN_WORDS} words are not read)")
    for threshold in sorted({0.3, 0.4, THRESHOLD, 0.5, 0.6}):
        for language in (None, "cy", "en"):
            f = figures(cv, threshold, language)
            mark = " <- in use" if threshold == THRESHOLD and language is None else ""
            print(f"threshold {threshold:.2f} {language or 'all':>3}: CV recall {f['recall']:.3f} "
                  f"(of {f['n_risk']}); flags non-risk {f['flagged_non_risk']:.3f}, "
                  f"gentle checks added {f['gentle_added']:.3f} (of {f['n_none']}; bereavement "
                  f"{f['bereavement']:.3f}, loneliness {f['loneliness']:.3f}){mark}")
    # Out-of-fold figures on the labelled sets' messages only (training-only files and the NLU's
    # everyday examples still train every fold): the same messages scored before and after new
    # training data is added, so these lines compare across changes.
    print("-- the same, scored on the labelled sets' messages only (training-only data and the NLU's "
          "everyday examples train every fold, are not scored)")
    for threshold in sorted({0.5, THRESHOLD}):
        for language in (None, "cy", "en"):
            f = figures(cv, threshold, language, tuned_only=True)
            print(f"labelled sets, threshold {threshold:.2f} {language or 'all':>3}: CV recall {f['recall']:.3f} "
                  f"(of {f['n_risk']}); gentle checks added {f['gentle_added']:.3f} (of {f['n_none']}; "
                  f"bereavement {f['bereavement']:.3f}, loneliness {f['loneliness']:.3f})")


if __name__ == "__main__":
    main()
