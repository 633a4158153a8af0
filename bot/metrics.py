"""Prometheus metrics: the one list of what an operator can watch, served at /metrics.

Counters and histograms are counted where things happen; gauges that describe the database
(queue depth, oldest queued message, unacknowledged alerts) are read from it at scrape time,
so every worker reports the same truth. Labels never carry personal data.

Several worker processes: prometheus-client's multiprocess mode, in which each process writes
its counters to files in PROMETHEUS_MULTIPROC_DIR and a scrape adds them up. The mode is chosen
when a metric is created, so the directory must be in the environment before the workers
import this module: `cyswllt serve` calls `prepare_multiprocess` before starting them.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Decided once, at import, exactly as prometheus-client decides how to store values.
MULTIPROCESS = bool(os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower()))
if MULTIPROCESS:
    # prometheus-client opens its files as the metrics below are made: the directory must exist.
    Path(os.environ.get(MULTIPROC_ENV) or os.environ[MULTIPROC_ENV.lower()]).mkdir(parents=True, exist_ok=True)

# One registry for the process, made at the bottom layer so that nlu/ (which may not import
# bot/) counts into it too; its NLU metrics are re-exported here.
from nlu.metrics import NLU_FALLBACKS, NLU_SECONDS, REGISTRY  # noqa: E402,F401
from bot.channels.registry import CHANNELS  # noqa: E402 - every registered channel gets its zero series

INBOUND = Counter(
    "cyswllt_inbound_messages", "Inbound messages by channel and result "
    "(handled, duplicate, failed, unavailable, rejected)", ["channel", "result"], registry=REGISTRY)
OUTBOUND = Counter(
    "cyswllt_outbound_messages", "Outbound send attempts by channel and result "
    "(sent, retry, rate_limited, failed, suppressed)", ["channel", "result"], registry=REGISTRY)
TURN_SECONDS = Histogram(
    "cyswllt_turn_seconds", "Time from webhook received to the turn committed", ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=REGISTRY)
SAFEGUARDING_ALERTS = Counter(
    "cyswllt_safeguarding_alerts_raised", "Safeguarding alerts raised", ["level"], registry=REGISTRY)
PRACTITIONER_REFUSED = Counter(
    "cyswllt_practitioner_actions_refused", "Practitioner actions refused because the item is not their team's "
    "(or does not exist), by action", ["action"], registry=REGISTRY)
STATUS_CALLBACKS = Counter(
    "cyswllt_status_callbacks", "Provider delivery-status callbacks by channel and result "
    "(stored, rejected: bad signature or unreadable, invalid: no id or status, unavailable)",
    ["channel", "result"], registry=REGISTRY)
HELD = Counter(
    "cyswllt_outbound_held", "Unprompted messages held, not sent: due outside a channel's customer-service "
    "window (WhatsApp's 24 hours) with no approved template for their kind and language",
    ["channel", "kind"], registry=REGISTRY)
SCHEDULER_LAG = Histogram(
    "cyswllt_scheduler_lag_seconds", "How late the scheduler started a due job (seconds after its run time)",
    buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600), registry=REGISTRY)

# Label sets known in advance start at zero, so that rate() and increase() see the first event.
for _level in ("emergency", "urgent", "concern"):
    SAFEGUARDING_ALERTS.labels(_level)
for _action in ("alert", "referral", "nudge", "attendance", "erase"):
    PRACTITIONER_REFUSED.labels(_action)
for _result in ("stored", "rejected", "invalid", "unavailable"):
    STATUS_CALLBACKS.labels("sms", _result)


def prepare_multiprocess(workers: int, environ=None) -> str | None:
    """Before uvicorn starts worker processes: one fresh directory for all their counters.

    Returns the directory, or None when one process needs no files. Files left by an earlier
    run are removed (their processes are gone, and a counter starting again at zero is what
    Prometheus expects after a restart); this process's own are kept, as it may serve itself.
    """
    environ = os.environ if environ is None else environ
    path = environ.get(MULTIPROC_ENV)
    if workers <= 1 and not path:
        return None
    if not path:
        path = tempfile.mkdtemp(prefix="cyswllt-metrics-")
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    mine = f"_{os.getpid()}.db"   # this process's own files, made when it imported this module
    for stale in directory.glob("*.db"):
        if not stale.name.endswith(mine):
            stale.unlink(missing_ok=True)
    environ[MULTIPROC_ENV] = str(directory)
    return str(directory)


class _Forward:
    """Presents this process's own registry inside a per-scrape registry."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


class DatabaseCollector:
    """Gauges read from the database at scrape time: the same answer from every worker."""

    def __init__(self, read: Callable[[], "object"]):
        self.read = read

    def collect(self):
        up = GaugeMetricFamily("cyswllt_database_up", "1 if the database answered this scrape")
        try:
            snapshot = self.read()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("metrics: database not readable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily("cyswllt_outbox_queued", "Outbox rows waiting or being sent, by channel",
                                  labels=["channel"])
        oldest = GaugeMetricFamily("cyswllt_outbox_oldest_queued_seconds",
                                   "Age of the oldest outbox row that is due and not yet sent, by channel",
                                   labels=["channel"])
        queues = {row.channel: row for row in snapshot.queues}
        for channel in sorted(set(CHANNELS) | set(queues)):
            row = queues.get(channel)
            # An empty queue is 0, not missing: alert rules compare it, and absent series do not compare.
            depth.add_metric([channel], row.depth if row else 0)
            oldest.add_metric([channel], row.oldest_due_seconds if row else 0.0)
        yield depth
        yield oldest
        finished = GaugeMetricFamily("cyswllt_outbox_undelivered",
                                     "Outbox rows that will not be sent (failed, unreachable, ambiguous)",
                                     labels=["channel", "status"])
        for (channel, status), count in sorted(snapshot.undelivered.items()):
            finished.add_metric([channel, status], count)
        yield finished
        alerts = GaugeMetricFamily("cyswllt_safeguarding_alerts_unacknowledged",
                                   "Safeguarding alerts nobody has acknowledged yet (open or no_contact)",
                                   labels=["status"])
        for status, count in sorted(snapshot.alerts.counts.items()):
            alerts.add_metric([status], count)
        yield alerts
        yield GaugeMetricFamily("cyswllt_safeguarding_oldest_unacknowledged_seconds",
                                "Age of the oldest unacknowledged safeguarding alert (0 when none)",
                                value=snapshot.alerts.oldest_seconds)
        yield GaugeMetricFamily("cyswllt_scheduler_overdue_seconds",
                                "How far past its run time the scheduler's next job is (0 when on time)",
                                value=snapshot.scheduler.overdue_seconds)


def exposition(read_database: Callable[[], "object"] | None) -> tuple[bytes, str]:
    """The /metrics body and its content type: counters (all workers') plus the database gauges."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry()
    if MULTIPROCESS:
        MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    if read_database is not None:
        registry.register(DatabaseCollector(read_database))
    return generate_latest(registry), CONTENT_TYPE_LATEST
