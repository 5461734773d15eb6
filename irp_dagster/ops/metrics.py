"""Prometheus metrics read from the domain tables at scrape time (``irp metrics``).

A custom collector runs a few aggregate queries per scrape, so the exporter keeps no state and
any number of engine processes (sensor ticks, run containers) are counted alike. Where the
tables hold no direct record, a series is derived (see docs/deployment.md, "Metrics"):

- API errors by route and status code: ``job_retry`` rows, one per retried attempt (429, 5xx,
  409, connection errors; today written by job submissions only); ids in routes become ``{id}``;
- API calls: one accepted job-creating call per job with ``submitted_at`` (poll calls are not
  recorded anywhere);
- poll latency: how long ago the least recently polled in-flight job was polled
  (``job.last_polled_at``, else its ``submitted_at``);
- last sensor tick age: the newest ``job.last_polled_at`` / ``job_tracking_log.tracked_at``;
  the sensor only writes while jobs are in flight, so read it together with the in-flight count.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_wsgi_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JOB_IN_FLIGHT
from irp_dagster.persistence.models import Batch, Job, JobRetry, JobTrackingLog, utcnow

log = logging.getLogger(__name__)

DEFAULT_PORT = 9108
NO_BATCH = "none"  # label of retry rows not tied to a job
NO_STATUS = "none"  # status_code label of a connection error (no HTTP answer)

_VERSION_SEGMENT = re.compile(r"v\d+")


def normalize_route(route: str) -> str:
    """Replace id segments (anything with a digit except ``v1``-style versions) by ``{id}``."""
    segments = route.split("?", 1)[0].split("/")
    return "/".join(
        "{id}" if any(c.isdigit() for c in s) and not _VERSION_SEGMENT.fullmatch(s) else s
        for s in segments
    )


class DomainCollector(Collector):
    """Collects every ``irp_*`` series from the domain database at each scrape."""

    def __init__(self, engine: Engine, *, now: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.now = now

    def describe(self) -> list[Metric]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("irp_database_up", "1 if the domain database answered this scrape")
        try:
            with self.engine.connect() as connection:
                families = [*self._jobs(connection), *self._retries(connection)]
                families += self._polling(connection)
        except SQLAlchemyError as error:
            log.warning("Metrics scrape failed: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _jobs(self, connection: Connection) -> list[Metric]:
        jobs = GaugeMetricFamily(
            "irp_jobs", "Jobs by batch type and status", labels=["batch_type", "status"]
        )
        in_flight = GaugeMetricFamily(
            "irp_jobs_in_flight",
            "Jobs at Moody's and not finished (what the polling sensor tracks)",
            labels=["batch_type"],
        )
        submitted = CounterMetricFamily(
            "irp_moodys_jobs_submitted",
            "Jobs accepted by Moody's: one accepted job-creating call each",
            labels=["batch_type"],
        )
        batches = GaugeMetricFamily(
            "irp_batches", "Batches by batch type and status", labels=["batch_type", "status"]
        )
        flying: Counter[str] = Counter({str(t): 0 for t in BatchType})
        sent: Counter[str] = Counter()
        rows = connection.execute(
            select(Batch.batch_type, Job.status, func.count(), func.count(Job.submitted_at))
            .join(Batch, Job.batch_id == Batch.id)
            .group_by(Batch.batch_type, Job.status)
        )
        for batch_type, status, count, with_submission in rows:
            jobs.add_metric([str(batch_type), str(status)], count)
            if status in JOB_IN_FLIGHT:
                flying[str(batch_type)] += count
            sent[str(batch_type)] += with_submission
        for batch_type, count in flying.items():
            in_flight.add_metric([batch_type], count)
        for batch_type, count in sent.items():
            submitted.add_metric([batch_type], count)
        rows = connection.execute(
            select(Batch.batch_type, Batch.status, func.count()).group_by(
                Batch.batch_type, Batch.status
            )
        )
        for batch_type, status, count in rows:
            batches.add_metric([str(batch_type), str(status)], count)
        return [jobs, in_flight, submitted, batches]

    def _retries(self, connection: Connection) -> list[Metric]:
        errors = CounterMetricFamily(
            "irp_moodys_api_errors",
            "Failed Moody's calls that were retried (429, 5xx, 409, no answer), from job_retry",
            labels=["method", "route", "status_code"],
        )
        retries = CounterMetricFamily(
            "irp_moodys_api_retries", "Retried Moody's calls by batch type", labels=["batch_type"]
        )
        waited = CounterMetricFamily(
            "irp_moodys_retry_wait_seconds",
            "Seconds spent in backoff before retries, by batch type",
            labels=["batch_type"],
        )
        by_route: Counter[tuple[str, str, str]] = Counter()
        rows = connection.execute(
            select(JobRetry.method, JobRetry.route, JobRetry.status_code, func.count()).group_by(
                JobRetry.method, JobRetry.route, JobRetry.status_code
            )
        )
        for method, route, status_code, count in rows:
            code = NO_STATUS if status_code is None else str(status_code)
            by_route[(method, normalize_route(route), code)] += count
        for labels, count in sorted(by_route.items()):
            errors.add_metric(list(labels), count)
        by_type: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        rows = connection.execute(
            select(
                Batch.batch_type, func.count(), func.coalesce(func.sum(JobRetry.wait_seconds), 0)
            )
            .select_from(JobRetry)
            .outerjoin(Job, JobRetry.job_id == Job.id)
            .outerjoin(Batch, Job.batch_id == Batch.id)
            .group_by(Batch.batch_type)
        )
        for batch_type, count, wait in rows:
            label = NO_BATCH if batch_type is None else str(batch_type)
            by_type[label][0] += count
            by_type[label][1] += float(wait)
        for label, (count, wait) in sorted(by_type.items()):
            retries.add_metric([label], count)
            waited.add_metric([label], wait)
        return [errors, retries, waited]

    def _polling(self, connection: Connection) -> list[Metric]:
        now = self.now()
        latency = GaugeMetricFamily(
            "irp_poll_latency_seconds",
            "Seconds since the least recently polled in-flight job was polled (0: none in flight)",
        )
        oldest = connection.execute(
            select(func.min(func.coalesce(Job.last_polled_at, Job.submitted_at))).where(
                Job.status.in_(JOB_IN_FLIGHT)
            )
        ).scalar()
        latency.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        tick = GaugeMetricFamily(
            "irp_last_sensor_tick_age_seconds",
            "Seconds since the polling sensor last wrote a poll (absent before the first poll)",
        )
        polled = connection.execute(select(func.max(Job.last_polled_at))).scalar()
        tracked = connection.execute(select(func.max(JobTrackingLog.tracked_at))).scalar()
        latest = max((t for t in (polled, tracked) if t is not None), default=None)
        if latest is not None:
            tick.add_metric([], (now - latest).total_seconds())
        return [latency, tick]


def build_registry(engine: Engine, *, now: Callable[[], datetime] = utcnow) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DomainCollector(engine, now=now))
    return registry


def start_exporter(
    engine: Engine,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    now: Callable[[], datetime] = utcnow,
) -> WSGIServer:
    """Serve ``/metrics`` from a daemon thread; ``port=0`` picks a free port (``server_port``).

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    registry = build_registry(engine, now=now)
    server, _thread = start_wsgi_server(port, addr=host, registry=registry)
    return server
