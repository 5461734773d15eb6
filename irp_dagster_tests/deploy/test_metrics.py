"""The exporter over HTTP serves the documented series with the values of the domain tables."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.ops.metrics import DomainCollector, normalize_route, start_exporter
from irp_dagster.persistence.db import make_engine, transaction, upgrade
from irp_dagster.persistence.models import Job, JobRetry, JobTrackingLog, utcnow
from irp_dagster_tests.deploy.files import REPO
from irp_dagster_tests.persistence.test_schema import make_batch

NOW = utcnow().replace(microsecond=0)
DOCUMENTED = {
    "irp_database_up",
    "irp_jobs",
    "irp_jobs_in_flight",
    "irp_batches",
    "irp_moodys_jobs_submitted",
    "irp_moodys_api_errors",
    "irp_moodys_api_retries",
    "irp_moodys_retry_wait_seconds",
    "irp_poll_latency_seconds",
    "irp_last_sensor_tick_age_seconds",
}


def _ago(seconds: float):
    return NOW - timedelta(seconds=seconds)


def _fill(engine: Engine) -> None:
    """One cycle's EDM batch with 4 jobs (FINISHED, RUNNING, QUEUED, INITIATED) and retries."""
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=4, batch_type=BatchType.EDM_CREATION)
        done, running, queued, _new = (
            session.query(Job).filter_by(batch_id=batch.id).order_by(Job.id)
        )
        done.status, done.submitted_at, done.last_polled_at = (
            JobStatus.FINISHED,
            _ago(900),
            _ago(20),
        )
        running.status, running.submitted_at, running.last_polled_at = (
            JobStatus.RUNNING,
            _ago(600),
            _ago(40),
        )
        queued.status, queued.submitted_at = JobStatus.QUEUED, _ago(100)  # never polled yet
        session.add(
            JobTrackingLog(
                job_id=running.id, tracked_at=_ago(30), moodys_job_id="77", status=JobStatus.RUNNING
            )
        )
        for job_id, route, code, wait in (
            (running.id, "/platform/riskdata/v1/jobs/123", 503, 1.5),
            (queued.id, "/platform/riskdata/v1/jobs/456", 503, 2.0),
            (None, "/platform/riskdata/v1/exposures", None, 0.5),
        ):
            method = "POST" if job_id is None else "GET"
            session.add(
                JobRetry(
                    job_id=job_id,
                    method=method,
                    route=route,
                    attempt=1,
                    status_code=code,
                    wait_seconds=wait,
                )
            )


Samples = dict[tuple[str, tuple], float]


def _scrape(engine: Engine) -> Samples:
    """Fill the tables, serve them on an ephemeral port, GET /metrics once."""
    _fill(engine)
    server = start_exporter(engine, host="127.0.0.1", port=0, now=lambda: NOW)
    try:
        body = httpx.get(f"http://127.0.0.1:{server.server_port}/metrics").text
    finally:
        server.shutdown()
        server.server_close()
    families = list(text_string_to_metric_families(body))
    assert {f.name for f in families} == DOCUMENTED
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }


@pytest.fixture
def scrape(engine: Engine) -> Samples:
    """One scrape on SQLite and one on PostgreSQL (the engine fixture's two backends)."""
    return _scrape(engine)


def test_job_and_batch_counts(scrape) -> None:
    edm = ("batch_type", "edm_creation")
    assert scrape[("irp_database_up", ())] == 1
    for status in ("FINISHED", "RUNNING", "QUEUED", "INITIATED"):
        assert scrape[("irp_jobs", (edm, ("status", status)))] == 1
    assert scrape[("irp_jobs_in_flight", (edm,))] == 2
    assert scrape[("irp_jobs_in_flight", (("batch_type", "analysis"),))] == 0
    assert scrape[("irp_batches", (edm, ("status", "INITIATED")))] == 1
    assert scrape[("irp_moodys_jobs_submitted_total", (edm,))] == 3


def test_api_errors_retries_and_polling(scrape) -> None:
    jobs_route = (("method", "GET"), ("route", "/platform/riskdata/v1/jobs/{id}"))
    assert scrape[("irp_moodys_api_errors_total", (*jobs_route, ("status_code", "503")))] == 2
    no_answer = (
        ("method", "POST"),
        ("route", "/platform/riskdata/v1/exposures"),
        ("status_code", "none"),
    )
    assert scrape[("irp_moodys_api_errors_total", no_answer)] == 1
    edm = (("batch_type", "edm_creation"),)
    assert scrape[("irp_moodys_api_retries_total", edm)] == 2
    assert scrape[("irp_moodys_api_retries_total", (("batch_type", "none"),))] == 1
    assert scrape[("irp_moodys_retry_wait_seconds_total", edm)] == pytest.approx(3.5)
    # The QUEUED job was submitted 100 s ago and never polled; RUNNING was polled 40 s ago.
    assert scrape[("irp_poll_latency_seconds", ())] == pytest.approx(100)
    # Newest poll write: the FINISHED job's last poll, 20 s ago (the tracking row is 30 s old).
    assert scrape[("irp_last_sensor_tick_age_seconds", ())] == pytest.approx(20)


def test_the_deployment_guide_documents_exactly_the_served_series(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    served = {name for name, _labels in _scrape(engine)}
    engine.dispose()
    guide = (REPO / "docs" / "deployment.md").read_text()
    assert set(re.findall(r"^\| `(irp_\w+)` \|", guide, flags=re.MULTILINE)) == served


def test_an_unreachable_database_reports_down() -> None:
    engine = make_engine("postgresql+psycopg2://irp@127.0.0.1:1/irp")
    families = list(DomainCollector(engine).collect())
    engine.dispose()
    assert [(f.name, [s.value for s in f.samples]) for f in families] == [("irp_database_up", [0])]


def test_ids_in_routes_are_folded() -> None:
    assert normalize_route("/platform/model/v1/jobs/9f8e7d6c?x=1") == "/platform/model/v1/jobs/{id}"
    assert normalize_route("/riskmodeler/v2/workflows/42") == "/riskmodeler/v2/workflows/{id}"
    assert normalize_route("/databridge/v1/jobs") == "/databridge/v1/jobs"
