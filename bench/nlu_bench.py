"""NLU benchmark: both backends on both held-out sets, side by side.

    python -m bench.nlu_bench [--rasa-url-en URL --rasa-url-cy URL] [--repeat N]

Without URLs it trains (or loads from cache) the Rasa models and starts its own servers on free
loopback ports, and stops them at the end. Prints macro-F1, risk recall, entity F1, parse
latency p50/p99 and resident memory for each backend and language.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bot.settings import load_settings
from nlu import rasa_backend, rasa_env
from nlu.embedded import EmbeddedBackend
from nlu.evaluate import evaluate
from nlu.rasa_backend import RasaBackend, free_port
from nlu.training_data import NLU_DIR, load_examples

LANGS = ("en", "cy")


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _NoFallback:
    def parse(self, text, lang):
        raise RuntimeError("Rasa server did not answer: the benchmark would be measuring embedded")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url-en")
    parser.add_argument("--rasa-url-cy")
    parser.add_argument("--repeat", type=int, default=3, help="passes over each set for latency")
    parser.add_argument("--no-rasa", action="store_true", help="embedded only")
    args = parser.parse_args(argv)
    settings = load_settings(environ=dict(os.environ))
    sets = {lang: load_examples(NLU_DIR / lang / "test.yml") for lang in LANGS}
    rows = []

    base = rss_mb()
    with tempfile.TemporaryDirectory() as cache:
        embedded = EmbeddedBackend(cache)
        embedded.warm_up()
        for lang in LANGS:
            rows.append(_measure("embedded", lang, embedded, sets[lang], args.repeat,
                                 f"{rss_mb() - base:.0f} (both langs, in-process)"))

    servers = []
    if not args.no_rasa:
        urls = {"en": args.rasa_url_en, "cy": args.rasa_url_cy}
        try:
            if not all(urls.values()):
                env = rasa_env.build(rasa_env.find_python(settings.rasa.python),
                                     rasa_env.env_dir(settings.rasa.env_dir), log=_err)
                cache_dir = Path.home() / ".cache" / "cyswllt" / "nlu-models"
                logs = Path(tempfile.mkdtemp(prefix="cyswllt-bench-"))
                for lang in LANGS:
                    if not urls[lang]:
                        model = rasa_backend.train(lang, env, cache_dir, log_fn=_err)
                        server = rasa_backend.start_server(lang, model, env, free_port(), logs)
                        servers.append(server)
                        urls[lang] = server.url
            rasa = RasaBackend(urls, 5.0, _NoFallback())
            pids = {s.lang: s.process.pid for s in servers}
            for lang in LANGS:
                memory = f"{rss_mb(pids[lang]):.0f} (server)" if lang in pids else "n/a (external)"
                rows.append(_measure("rasa", lang, rasa, sets[lang], args.repeat, memory))
            rasa.close()
        finally:
            for s in servers:
                s.stop()

    header = f"{'backend':<9}{'lang':<5}{'n':>4}{'macro-F1':>10}{'risk rec':>10}{'entity F1':>11}" \
             f"{'p50 ms':>9}{'p99 ms':>9}  RSS MB"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['backend']:<9}{r['lang']:<5}{r['n']:>4}{r['macro_f1']:>10.3f}{r['risk_recall']:>10.3f}"
              f"{r['entity_f1']:>11.3f}{r['p50']:>9.2f}{r['p99']:>9.2f}  {r['memory']}")
    return 0


def _measure(name, lang, backend, examples, repeat, memory) -> dict:
    report = evaluate(backend, lang, examples)
    p50s, p99s = [report.latency_ms["p50"]], [report.latency_ms["p99"]]
    for _ in range(repeat - 1):
        again = evaluate(backend, lang, examples)
        p50s.append(again.latency_ms["p50"])
        p99s.append(again.latency_ms["p99"])
    return {"backend": name, "lang": lang, "n": len(examples), "macro_f1": report.macro_f1,
            "risk_recall": report.per_intent.get("risk", {}).get("recall", float("nan")),
            "entity_f1": report.entity_f1, "p50": sorted(p50s)[len(p50s) // 2],
            "p99": sorted(p99s)[len(p99s) // 2], "memory": memory}


def _err(message: str) -> None:
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
