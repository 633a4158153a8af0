"""Benchmark: the safeguarding screen's figures on the labelled sets, and its latency.

    python -m bench.safeguarding_bench                  # figures (lexicon alone) and latency
    python -m bench.safeguarding_bench --nlu            # figures with the NLU model's risk intent too
    python -m bench.safeguarding_bench --messages 5000
    python -m bench.safeguarding_bench --no-model       # without the learned second reader

Figures: per language and part (dev, held-out), recall (disclosures given tier clear), the
false-alarm rate (non-risk given the crisis reply) and the gentle-check rate (non-risk given
tier possible), as `cyswllt safeguarding evaluate` prints them.

The learned second reader (bot/risk_model.py) is part of the screen as deployed and is included
unless --no-model; its cross-validated figures: python -m bench.risk_model_cv.

Latency: the screen as the dispatcher runs it (screened_text, then detect_risk; the NLU parse is
made anyway for the flows and is not timed here) on 160-character messages built from the labelled
messages. Each message is timed once in order (p50/p99 "as run") and also as the best of 5 runs
("intrinsic"), which removes the pauses of a machine shared with other work. Nothing here is a
pass/fail threshold: the target (p99 under 2 ms) is read from the printout.
"""
from __future__ import annotations

from pathlib import Path

import argparse
import random
import statistics
import time

from bot.commands.safeguarding import build_screen
from bot.dispatcher import NO_TEXT
from bot.risk_phrases import RiskPhrases
from bot.safeguarding import detect_risk, load_risk_model, screened_text
from bot.screen_evaluation import evaluate, load_labelled, report_text
from bot.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]

LABELLED = sorted((PROJECT_ROOT / "tests/safeguarding/labelled").glob("*.yml"))


def messages_of(length: int, count: int, texts: list[str], rng: random.Random) -> list[str]:
    out = []
    for _ in range(count):
        text = ""
        while len(text) < length:
            text = f"{text} {rng.choice(texts)}".strip()
        out.append(text[:length])
    return out


def percentiles(timings: list[float]) -> str:
    q = statistics.quantiles(timings, n=100)
    return (f"p50 {statistics.median(timings) * 1e3:.3f} ms  p99 {q[98] * 1e3:.3f} ms  "
            f"max {max(timings) * 1e3:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--nlu", action="store_true", help="figures with the NLU model's risk intent too")
    parser.add_argument("--no-model", action="store_true", help="without the learned second reader")
    args = parser.parse_args()
    settings = load_settings(environ={})
    model = None if args.no_model else load_risk_model(settings)

    labelled = [m for f in LABELLED for m in load_labelled(f)]
    readers = ["lexicon", *(["NLU"] if args.nlu else []), *(["learned reader"] if model else [])]
    print(f"== figures on {len(labelled)} labelled messages ({', '.join(readers)}; the learned reader "
          "is trained on every set but the fifth: its figures on them are in-sample)")
    print(report_text(evaluate(labelled, build_screen(settings, use_nlu=args.nlu, use_model=model is not None)),
                      show_slips=False))

    started = time.perf_counter()
    phrases = RiskPhrases.load(settings.safeguarding.phrases_file)
    print(f"\n== latency\nload lexicon: {(time.perf_counter() - started) * 1000:.1f} ms")
    threshold = settings.safeguarding.nlu_threshold
    rng = random.Random(7)
    texts = [m.text for m in labelled]
    for length in (160, 1000):
        batch = messages_of(length, args.messages if length == 160 else args.messages // 5, texts, rng)
        for text in batch[:200]:  # warm the caches as a running service has them
            detect_risk(phrases, screened_text(text), NO_TEXT, threshold, model)
        as_run, best, found = [], [], 0
        for text in batch:
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                detection = detect_risk(phrases, screened_text(text), NO_TEXT, threshold, model)
                runs.append(time.perf_counter() - start)
            as_run.append(runs[0])
            best.append(min(runs))
            found += detection is not None
        print(f"{length:>5} chars, {len(batch)} messages ({found} with a finding):")
        print(f"      as run:    {percentiles(as_run)}")
        print(f"      intrinsic: {percentiles(best)}")
    if model is not None:
        # Most built messages have a lexicon finding, so the screen above seldom reaches the model:
        # its own cost, on the 160-character messages where it is asked (nothing found first).
        batch = messages_of(160, args.messages, texts, rng)
        best = [min(_timed(model.flags, text) for _ in range(5)) for text in batch]
        print(f"  learned reader alone, 160 chars: intrinsic {percentiles(best)}")


def _timed(call, text: str) -> float:
    start = time.perf_counter()
    call(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
