"""Benchmark: the learned second reader's cross-validated figures on its training sets.

    python -m bench.risk_model_cv                 # stratified 5-fold CV at THRESHOLD and nearby
    python -m bench.risk_model_cv --folds 3
    python -m bench.risk_model_cv --seed 1          # other folds: the spread across seeds is the noise
    python -m bench.risk_model_cv --not-scored sixth --not-scored screen7-train
                                                    # those parts train every fold, are not scored:
                                                    # figures comparable with a run before they were added

Trained and scored only on the shipped training sets (config/safeguarding/training/, every
labelled set but the blind fifth). Printed per threshold: the classifier's own recall on held-out
folds (disclosures and ambiguous wording it flags), and the share of non-risk messages it flags,
overall and among those the lexicon found nothing in (what becomes a gentle check when deployed).
The lexicon catches every training disclosure (it was tuned on them), so its union with the
model says nothing here; the model's own recall is the estimate of what it adds. The fifth set
is measured with `cyswllt safeguarding evaluate tests/safeguarding/labelled/*-fifth.yml`.

The crisis tier (the tier reader, out of fold too): per language, the share of disclosures its
evidence alone would give the crisis reply (at CLEAR_ALONE and nearby, guards applied), the
share of ambiguous wording it would raise to the crisis reply, and the crisis false alarms it
adds on non-risk messages, by theme (bereavement, loneliness, idioms...), with and without the
phrase list's guards.
"""
from __future__ import annotations

import argparse

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from bot.dispatcher import NO_TEXT
from bot.risk_model import (
    CLEAR_ALONE, CLEAR_WITH_PHRASE, MIN_WORDS, THRESHOLD, clear_evidence, features, long_enough, labels, pipeline,
    tier_labels, training_files, training_messages, training_only,
)
from bot.screen_evaluation import load_labelled
from bot.risk_phrases import RiskPhrases
from bot.safeguarding import detect_risk, screened_text
from bot.settings import load_settings


def cross_validate(folds: int = 5, seed: int = 0, not_scored: tuple[str, ...] = ()) -> dict:
    """Out-of-fold scores for every training message, with its label, language, theme and
    whether the lexicon found anything in it or set an idiom aside (then the model is not asked).
    Messages of the `not_scored` parts train every fold but count in no figure."""
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
    scored = np.array([m.part not in not_scored for m in messages])
    return {"messages": messages, "y": y, "scores": scores, "lexicon": lexicon, "long": long, "tuned": tuned,
            "scored": scored}


def figures(cv: dict, threshold: float, language: str | None = None, tuned_only: bool = False) -> dict:
    keep = cv["scored"] & np.array([language is None or m.language == language for m in cv["messages"]])
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


def cross_validate_tiers(cv: dict, folds: int = 5, seed: int = 0) -> dict:
    """Adds out-of-fold tier-reader evidence, and the phrase list's finding and guard, per message."""
    messages = cv["messages"]
    classes = sorted(set(tier_labels(messages)))
    probabilities = cross_val_predict(pipeline(), [features(m.text) for m in messages], tier_labels(messages),
                                      cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                                      method="predict_proba")
    phrases = RiskPhrases.load(load_settings(environ={}).safeguarding.phrases_file)
    findings = [phrases.assess(screened_text(m.text)) for m in messages]
    return {**cv, "strength": np.array([clear_evidence(classes, p)[0] for p in probabilities]),
            "phrase_clear": np.array([bool(f.clear) for f in findings]),
            "phrase_possible": np.array([bool(f.possible) and not f.clear for f in findings]),
            "idiom": np.array([f.idiom for f in findings]),
            "guard": np.array([phrases.guard(screened_text(m.text)) for m in messages])}


def tier_figures(cv: dict, alone: float, with_phrase: float, language: str | None = None,
                 guards: bool = True) -> dict:
    """The crisis tier the tier reader would add (out of fold), as detect_risk decides it."""
    messages = cv["messages"]
    keep = cv["scored"] & np.array([language is None or m.language == language for m in messages])
    label = np.array([m.label for m in messages])
    bar = np.where(cv["phrase_possible"], with_phrase, alone)
    unguarded = (cv["guard"] == "") if guards else np.ones(len(messages), dtype=bool)
    raised = ~cv["idiom"] & cv["long"] & (cv["strength"] >= bar) & unguarded
    added = raised & ~cv["phrase_clear"]
    risk, ambiguous, none = keep & (label == "risk"), keep & (label == "ambiguous"), keep & (label == "none")
    themes = {}
    for theme in sorted({m.theme for m, k in zip(messages, none) if k}):
        mask = none & np.array([m.theme == theme for m in messages])
        themes[theme] = (int(added[mask].sum()), int(mask.sum()))
    # The phrase list gives every training disclosure the crisis tier, so for disclosures the reader
    # is scored as if it had found nothing (the threshold "alone").
    return {"recall": (raised & (cv["strength"] >= alone))[risk].mean(), "n_risk": int(risk.sum()), "ambiguous": added[ambiguous].mean(),
            "n_ambiguous": int(ambiguous.sum()), "false_alarms": added[none].mean(), "n_none": int(none.sum()),
            "false_alarm_count": int(added[none].sum()), "themes": themes}


def print_tiers(cv: dict) -> None:
    print(f"== crisis tier from the tier reader (out of fold; alone >= CLEAR_ALONE {CLEAR_ALONE}, with the phrase "
          f"list's 'possible' >= CLEAR_WITH_PHRASE {CLEAR_WITH_PHRASE}; guarded messages keep the gentle check). "
          "The phrase list gives every training disclosure the crisis tier already (tuned on them): 'reader recall' "
          "is the share the reader's evidence alone would give it, the estimate of what it adds on unseen wording")
    for alone in sorted({0.80, 0.85, CLEAR_ALONE, 0.95}):
        for guards in (True, False) if alone == CLEAR_ALONE else (True,):
            for language in ("cy", "en"):
                f = tier_figures(cv, alone, CLEAR_WITH_PHRASE, language, guards)
                mark = " <- in use" if alone == CLEAR_ALONE and guards else ""
                print(f"alone {alone:.2f} {'guarded  ' if guards else 'unguarded'} {language}: reader recall "
                      f"{f['recall']:.3f} (of {f['n_risk']}); ambiguous raised to crisis {f['ambiguous']:.3f} "
                      f"(of {f['n_ambiguous']}); crisis false alarms added {f['false_alarms']:.4f} "
                      f"({f['false_alarm_count']} of {f['n_none']}){mark}")
    for language in ("cy", "en"):
        f = tier_figures(cv, CLEAR_ALONE, CLEAR_WITH_PHRASE, language)
        print(f"crisis false alarms added by theme, in use, {language}: "
              + ", ".join(f"{theme or 'other'} {k}/{n}" for theme, (k, n) in f["themes"].items()))
    for with_phrase in sorted({0.6, 0.7, CLEAR_WITH_PHRASE, 0.8, 0.85}):
        f = [tier_figures(cv, CLEAR_ALONE, with_phrase, language) for language in ("cy", "en")]
        print(f"with the phrase list's 'possible' >= {with_phrase:.2f}: ambiguous raised to crisis cy {f[0]['ambiguous']:.3f}"
              f", en {f[1]['ambiguous']:.3f}; crisis false alarms added cy {f[0]['false_alarm_count']}, en "
              f"{f[1]['false_alarm_count']}{' <- in use' if with_phrase == CLEAR_WITH_PHRASE else ''}")
    label = np.array([m.label for m in cv["messages"]])
    for kind in sorted(set(cv["guard"]) - {""}):
        found = cv["guard"] == kind
        print(f"guard {kind}: on {int((found & (label == 'none')).sum())} non-risk, "
              f"{int((found & (label == 'risk')).sum())} disclosures, {int((found & (label == 'ambiguous')).sum())} ambiguous")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="the folds' shuffle (a figure's spread across seeds is its noise)")
    parser.add_argument("--not-scored", action="append", default=[], metavar="PART",
                        help="a part (e.g. sixth, screen7-train) that trains every fold but counts in no figure")
    args = parser.parse_args(argv)
    cv = cross_validate(args.folds, args.seed, tuple(args.not_scored))
    print(f"== learned second reader: stratified {args.folds}-fold CV on {len(cv['messages'])} training "
          f"messages (threshold in use {THRESHOLD}; messages under {MIN_WORDS} words are not read)"
          + (f"; not scored: {', '.join(args.not_scored)} ({int((~cv['scored']).sum())} messages)"
             if args.not_scored else ""))
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
    print_tiers(cross_validate_tiers(cv, args.folds, args.seed))


if __name__ == "__main__":
    main()
