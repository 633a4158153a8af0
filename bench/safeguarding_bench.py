"""Benchmark: how long the safeguarding phrase screen takes per message (it runs on every message).

    python -m bench.safeguarding_bench                 # 20,000 messages of mixed length
    python -m bench.safeguarding_bench --messages 5000

It prints messages per second and percentiles by message length; nothing here is a pass/fail threshold.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from bot.risk_phrases import RiskPhrases
from bot.settings import load_settings

WORDS = ("I would like to join a walking group near Cardiff on Tuesdays because I have been feeling lonely "
         "dw i eisiau ymuno â chôr yn y pentref ond mae'r bws yn ddrud a does gen i ddim hyder "
         "money benefits housing garden volunteering learning cooking 07700 900123 CF10 1AA").split()
RISKY = ("I want to kill myself", "dw i isio marw", "he hits me", "self harm", "mewn perygl")


def message(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words) + 1), rng.choice(RISKY))
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args()
    settings = load_settings(environ={})
    started = time.perf_counter()
    phrases = RiskPhrases.load(settings.safeguarding.phrases_file)
    print(f"load phrase list: {(time.perf_counter() - started) * 1000:.1f} ms")
    rng = random.Random(7)
    for length in (5, 30, 300, 1000):
        texts = [message(rng, length) for _ in range(args.messages // 4)]
        timings, found = [], 0
        for text in texts:
            start = time.perf_counter()
            found += bool(phrases.categories_in(text))
            timings.append(time.perf_counter() - start)
        total = sum(timings)
        quantiles = statistics.quantiles(timings, n=100)
        print(f"{length:>5} words: {len(texts) / total:>9.0f} msg/s  median {statistics.median(timings) * 1e3:.2f} ms"
              f"  p99 {quantiles[98] * 1e3:.2f} ms  max {max(timings) * 1e3:.2f} ms  flagged {found}/{len(texts)}")


if __name__ == "__main__":
    main()
