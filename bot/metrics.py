"""Prometheus metrics: the one list of what an operator can watch, served at /metrics.

Counters and histograms are counted where things happen; gauges that describe the database
(queue depth, oldest queued message, unacknowledged alerts) are read from it at scrape time,
so every worker reports the same truth. Labels never carry personal data.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

INBOUND = Counter(
    "cyswllt_inbound_messages", "Inbound messages by channel and result "
    "(handled, duplicate, failed, unavailable, rejected)", ["channel", "result"], registry=REGISTRY)
OUTBOUND = Counter(
    "cyswllt_outbound_messages", "Outbound send attempts by channel and result "
    "(sent, retry, failed, suppressed)", ["channel", "result"], registry=REGISTRY)
TURN_SECONDS = Histogram(
    "cyswllt_turn_seconds", "Time from webhook received to the turn committed", ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=REGISTRY)
NLU_SECONDS = Histogram(
    "cyswllt_nlu_parse_seconds", "NLU parse latency by backend that answered", ["backend"],
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1), registry=REGISTRY)
NLU_FALLBACKS = Counter(
    "cyswllt_nlu_fallbacks", "Parses answered by the embedded NLU because Rasa did not", ["lang"],
    registry=REGISTRY)
SAFEGUARDING_ALERTS = Counter(
    "cyswllt_safeguarding_alerts_raised", "Safeguarding alerts raised", ["level"], registry=REGISTRY)
