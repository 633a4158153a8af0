"""The NLU's own metrics, defined here so nlu/ needs nothing from bot/; bot/metrics.py serves them.

The same multiprocess rule holds as for bot/metrics.py: PROMETHEUS_MULTIPROC_DIR must be in the
environment before a worker imports this module.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# The process's one registry (bot/metrics.py adds its own metrics to it and serves it).
REGISTRY = CollectorRegistry(auto_describe=True)

NLU_SECONDS = Histogram(
    "cyswllt_nlu_parse_seconds", "NLU parse latency by backend that answered", ["backend"],
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1), registry=REGISTRY)
NLU_FALLBACKS = Counter(
    "cyswllt_nlu_fallbacks", "Parses answered by the embedded NLU because Rasa did not", ["lang"],
    registry=REGISTRY)

# Label sets known in advance start at zero, so that rate() and increase() see the first event.
for _lang in ("cy", "en"):
    NLU_FALLBACKS.labels(_lang)
