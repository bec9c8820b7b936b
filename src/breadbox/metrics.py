"""Prometheus metrics: what each process measures, in the text format `/metrics` serves.

Process-local series (API latency, sync durations, provider requests and errors) live in the
process that does the work: the API replica, or the worker (`breadbox worker --metrics-port`).
Cluster-wide gauges (queue depth, running syncs, live workers) are read from the database when
`/metrics` is scraped, so every replica reports the same truth.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SYNC_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)

http_request_seconds = Histogram(
    "breadbox_http_request_duration_seconds",
    "API request latency, by method, route template and status class.",
    ("method", "route", "status"),
    buckets=LATENCY_BUCKETS,
)
sync_seconds = Histogram(
    "breadbox_sync_duration_seconds",
    "Wall time of sync runs driven by this process, by source type and final status.",
    ("source", "status"),
    buckets=SYNC_BUCKETS,
)
sync_documents = Counter(
    "breadbox_sync_documents_total",
    "Documents written by syncs, by source type and outcome (created, updated, unchanged, deleted).",
    ("source", "outcome"),
)
provider_requests = Counter(
    "breadbox_provider_requests_total", "Requests sent to providers by syncs, by source type.", ("source",)
)
sync_errors = Counter(
    "breadbox_sync_errors_total",
    "Sync runs that failed, by source type and error type (provider_unavailable, reauthorization_required, …).",
    ("source", "type"),
)
item_failures = Counter(
    "breadbox_sync_item_failures_total", "Items a sync could not load (recorded, not fatal).", ("source",)
)
queue_depth = Gauge(
    "breadbox_queue_depth", "Sync work waiting or running, read from the database.", ("queue", "state")
)
syncs_running = Gauge("breadbox_syncs_running", "Sync runs in progress across every worker.")
workers_live = Gauge("breadbox_workers_live", "Workers whose heartbeat is fresh (Procrastinate mode).")

OUTCOMES = ("created", "updated", "unchanged", "deleted")


def observe_sync(source: str, status: str, seconds: float, counters: Any, error_type: str | None) -> None:
    """Record one sync run's end (`counters` is the run's `RunCounters`)."""
    sync_seconds.labels(source, status).observe(seconds)
    for outcome in OUTCOMES:
        value = getattr(counters, outcome, 0)
        if value:
            sync_documents.labels(source, outcome).inc(value)
    if counters.provider_requests:
        provider_requests.labels(source).inc(counters.provider_requests)
    if counters.failed:
        item_failures.labels(source).inc(counters.failed)
    if error_type is not None:
        sync_errors.labels(source, error_type).inc()


def render() -> tuple[bytes, str]:
    """The whole registry in Prometheus' text format, with its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
