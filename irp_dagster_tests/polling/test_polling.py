"""poll_in_flight against the mock over HTTP: every family, every rule of domain.md."""

from __future__ import annotations

import logging

import httpx
from sqlalchemy import func, select

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import JobRetry, JobTrackingLog
from irp_dagster.services.polling import LOST, TIMEOUT, poll_in_flight, poll_limits
from irp_dagster.settings import Settings
from irp_dagster_tests.polling.conftest import add_batch, at_mock, hours_ago, jobs_by_id

PLATFORM_APIS = ("riskdata", "import", "export", "geohaz", "model", "grouping")


def _fault(mock, **fault) -> None:
    httpx.post(f"{mock.base_url}/_mock/faults", json=fault).raise_for_status()


def _tracking_rows(engine, job_id: int | None = None) -> list[JobTrackingLog]:
    query = select(JobTrackingLog).order_by(JobTrackingLog.id)
    if job_id is not None:
        query = query.where(JobTrackingLog.job_id == job_id)
    with transaction(engine) as session:
        return list(session.scalars(query))


def _list_calls(mock, path: str) -> int:
    """GETs of ``path``; ``.../{job_id}`` counts the single-job GETs under it."""
    if path.endswith("/{job_id}"):
        prefix = path.removesuffix("{job_id}")
        return sum(
            1
            for e in mock.state.journal(prefix + "*", "GET")
            if "/" not in e["path"].removeprefix(prefix)
        )
    return len(mock.state.journal(path.replace("{job_id}", "*"), "GET"))


def test_every_platform_api_is_polled_with_one_bulk_call(engine, mock_server, moodys_client):
    jobs = {}
    for api in PLATFORM_APIS:
        _, jobs[api] = add_batch(engine, at_mock(mock_server, api, 2), family=api)

    report = poll_in_flight(engine, moodys_client)

    assert report.polled == report.changed == 12
    for api in PLATFORM_APIS:
        assert _list_calls(mock_server, f"/platform/{api}/v1/jobs") == 1
        assert _list_calls(mock_server, f"/platform/{api}/v1/jobs/{{job_id}}") == 0
        assert [j.status for j in jobs_by_id(engine, jobs[api])] == [JobStatus.QUEUED] * 2
    rows = _tracking_rows(engine)
    assert len(rows) == 12
    assert all(r.payload["jobId"] == r.moodys_job_id and r.moodys_status == "QUEUED" for r in rows)

    mock_server.state.advance(3600)
    report = poll_in_flight(engine, moodys_client)
    assert report.finished == 12
    for api in PLATFORM_APIS:
        for job in jobs_by_id(engine, jobs[api]):
            assert (job.status, job.progress) == (JobStatus.FINISHED, 100.0)
            assert job.completed_at is not None and job.last_polled_at is not None


def test_bulk_calls_carry_at_most_100_ids(sqlite_engine, mock_server, moodys_client):
    _, platform = add_batch(sqlite_engine, at_mock(mock_server, "riskdata", 250))
    _, workflows = add_batch(
        sqlite_engine, at_mock(mock_server, "workflow", 150), family="workflow"
    )

    report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.polled == 400 and report.calls == 5
    assert _list_calls(mock_server, "/platform/riskdata/v1/jobs") == 3
    assert _list_calls(mock_server, "/riskmodeler/v1/workflows") == 2
    sizes = [
        len(httpx.QueryParams(e["query"])["ids"].split(","))
        for e in mock_server.state.journal("/riskmodeler/v1/workflows", "GET")
    ]
    assert sizes == [100, 50]
    polled = jobs_by_id(sqlite_engine, platform + workflows)
    assert {j.status for j in polled} == {JobStatus.QUEUED}


def test_tracking_row_on_change_only_and_last_polled_at_on_every_poll(
    sqlite_engine, mock_server, moodys_client
):
    _, (job_id,) = add_batch(sqlite_engine, at_mock(mock_server, "riskdata"))
    poll_in_flight(sqlite_engine, moodys_client)
    (first,) = jobs_by_id(sqlite_engine, [job_id])

    report = poll_in_flight(sqlite_engine, moodys_client)  # nothing moved at Moody's
    (second,) = jobs_by_id(sqlite_engine, [job_id])
    assert (report.polled, report.changed) == (1, 0)
    assert second.last_polled_at > first.last_polled_at
    assert len(_tracking_rows(sqlite_engine, job_id)) == 1

    mock_server.state.advance(10 + 3 + 30)  # queue, pending, half of the 60 s run
    poll_in_flight(sqlite_engine, moodys_client)
    (running,) = jobs_by_id(sqlite_engine, [job_id])
    assert running.status is JobStatus.RUNNING and running.progress == 50.0
    rows = _tracking_rows(sqlite_engine, job_id)
    assert [(r.status, r.progress) for r in rows] == [
        (JobStatus.QUEUED, 0.0),
        (JobStatus.RUNNING, 50.0),
    ]
    assert rows[-1].payload["progress"] == 50


def test_ids_missing_from_a_short_page_are_fetched_one_by_one(
    sqlite_engine, mock_server, moodys_client
):
    _, ids = add_batch(sqlite_engine, at_mock(mock_server, "model", 5), family="model")
    _fault(mock_server, kind="short_page", route="/platform/model/v1/jobs", page_size=3)

    report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.polled == 5 and report.calls == 3
    assert _list_calls(mock_server, "/platform/model/v1/jobs") == 1
    assert _list_calls(mock_server, "/platform/model/v1/jobs/{job_id}") == 2
    assert {j.status for j in jobs_by_id(sqlite_engine, ids)} == {JobStatus.QUEUED}


def test_lost_jobs_of_every_family_fail_with_reason_lost(sqlite_engine, mock_server, moodys_client):
    families = ("grouping", "workflow", "databridge")
    jobs = {f: add_batch(sqlite_engine, at_mock(mock_server, f, 2), family=f)[1] for f in families}
    for family in families:
        lost = jobs_by_id(sqlite_engine, jobs[family][:1])[0].moodys_job_id
        httpx.post(
            f"{mock_server.base_url}/_mock/jobs/{lost}/outcome", json={"outcome": "LOST"}
        ).raise_for_status()

    report = poll_in_flight(sqlite_engine, moodys_client)

    assert len(report.lost) == 3
    for family, code in (("grouping", 404), ("workflow", 404), ("databridge", 410)):
        lost, alive = jobs_by_id(sqlite_engine, jobs[family])
        assert (lost.status, lost.status_reason) == (JobStatus.FAILED, LOST)
        assert f"HTTP {code}" in lost.last_error and lost.completed_at is not None
        assert _tracking_rows(sqlite_engine, lost.id)[-1].payload["lost"] == code
        assert alive.status is JobStatus.QUEUED


def test_204_means_not_ready_for_a_bulk_call_and_a_single_get(
    sqlite_engine, mock_server, moodys_client
):
    _, bulk = add_batch(sqlite_engine, at_mock(mock_server, "export", 3), family="export")
    _, single = add_batch(sqlite_engine, at_mock(mock_server, "databridge"), family="databridge")
    _fault(mock_server, kind="not_ready", route="/platform/export/v1/jobs", next_n=1)
    _fault(mock_server, kind="not_ready", route="/databridge/v1/jobs/*", next_n=1)

    report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.not_ready == 4 and report.polled == 4 and report.changed == 0
    assert _list_calls(mock_server, "/platform/export/v1/jobs/{job_id}") == 0  # no fallback
    for job in jobs_by_id(sqlite_engine, bulk + single):
        assert job.status is JobStatus.SUBMITTED and job.last_polled_at is not None
    assert _tracking_rows(sqlite_engine) == []
    poll_in_flight(sqlite_engine, moodys_client)
    assert {j.status for j in jobs_by_id(sqlite_engine, bulk + single)} == {JobStatus.QUEUED}


def test_unknown_status_keeps_the_job_in_flight_with_a_warning(
    sqlite_engine, mock_server, moodys_client, caplog
):
    _, (job_id,) = add_batch(sqlite_engine, at_mock(mock_server, "geohaz"), family="geohaz")
    _fault(mock_server, kind="unknown_status", route="/platform/geohaz/v1/jobs", value="ON_HOLD")

    with caplog.at_level(logging.WARNING, logger="irp_dagster.services.polling"):
        report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.unknown_statuses == {job_id: "ON_HOLD"}
    assert "ON_HOLD" in caplog.text
    (job,) = jobs_by_id(sqlite_engine, [job_id])
    assert (job.status, job.moodys_status) == (JobStatus.SUBMITTED, "ON_HOLD")
    assert _tracking_rows(sqlite_engine, job_id)[-1].moodys_status == "ON_HOLD"


def test_missing_progress_keeps_the_last_known_progress(sqlite_engine, mock_server, moodys_client):
    _, (job_id,) = add_batch(sqlite_engine, at_mock(mock_server, "import"), family="import")
    mock_server.state.advance(10 + 3 + 15)
    poll_in_flight(sqlite_engine, moodys_client)
    _fault(mock_server, kind="missing_progress", route="/platform/import/v1/jobs", next_n=1)
    mock_server.state.advance(30)

    poll_in_flight(sqlite_engine, moodys_client)
    (job,) = jobs_by_id(sqlite_engine, [job_id])
    assert (job.status, job.progress) == (JobStatus.RUNNING, 25.0)

    poll_in_flight(sqlite_engine, moodys_client)
    (job,) = jobs_by_id(sqlite_engine, [job_id])
    assert job.progress == 75.0


def test_failed_jobs_keep_the_moodys_error_message(sqlite_engine, mock_server, moodys_client):
    families = ("model", "workflow", "databridge")
    plan = {"outcome": "FAILED", "message": "Peril not licensed"}
    jobs = {
        f: add_batch(sqlite_engine, at_mock(mock_server, f, **plan), family=f)[1] for f in families
    }
    mock_server.state.advance(3600)

    report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.failed == 3
    for family in families:
        (job,) = jobs_by_id(sqlite_engine, jobs[family])
        assert job.status is JobStatus.FAILED
        assert "Peril not licensed" in job.last_error, family
    assert _list_calls(mock_server, "/databridge/v1/jobs/{job_id}/details") == 1


def test_databridge_jobs_are_read_one_by_one_and_their_states_mapped(
    sqlite_engine, mock_server, moodys_client
):
    _, ids = add_batch(sqlite_engine, at_mock(mock_server, "databridge", 3), family="databridge")

    poll_in_flight(sqlite_engine, moodys_client)
    assert _list_calls(mock_server, "/databridge/v1/jobs/{job_id}") == 3
    queued = jobs_by_id(sqlite_engine, ids)
    assert {(j.status, j.moodys_status) for j in queued} == {(JobStatus.QUEUED, "Enqueued")}

    mock_server.state.advance(10 + 3 + 1)
    poll_in_flight(sqlite_engine, moodys_client)
    assert {j.status for j in jobs_by_id(sqlite_engine, ids)} == {JobStatus.RUNNING}

    mock_server.state.advance(3600)
    poll_in_flight(sqlite_engine, moodys_client)
    finished = jobs_by_id(sqlite_engine, ids)
    assert {(j.status, j.moodys_status) for j in finished} == {(JobStatus.FINISHED, "Succeeded")}


def test_max_poll_duration_per_batch_type_cancels_and_fails_with_timeout(
    sqlite_engine, mock_server, moodys_client
):
    settings = Settings()
    assert settings.max_poll_hours_for(BatchType.EDM_CREATION) < 13
    assert settings.max_poll_hours_for(BatchType.ANALYSIS) > 13
    late = dict(submitted_at=hours_ago(13))
    _, (edm,) = add_batch(sqlite_engine, at_mock(mock_server, "riskdata"), **late)
    _, (upgrade,) = add_batch(
        sqlite_engine,
        at_mock(mock_server, "workflow"),
        family="workflow",
        batch_type=BatchType.EDM_UPGRADE,
        **late,
    )
    _, (analysis,) = add_batch(
        sqlite_engine,
        at_mock(mock_server, "model"),
        family="model",
        batch_type=BatchType.ANALYSIS,
        **late,
    )
    _, (fresh,) = add_batch(sqlite_engine, at_mock(mock_server, "riskdata"))

    report = poll_in_flight(sqlite_engine, moodys_client, max_poll_hours=poll_limits(settings))

    assert sorted(report.timed_out) == sorted([edm, upgrade])
    edm_job, upgrade_job, analysis_job, fresh_job = jobs_by_id(
        sqlite_engine, [edm, upgrade, analysis, fresh]
    )
    for job in (edm_job, upgrade_job):
        assert (job.status, job.status_reason) == (JobStatus.FAILED, TIMEOUT)
        assert (
            "maximum poll duration" in job.last_error and "cancelled at Moody's" in job.last_error
        )
    assert analysis_job.status is fresh_job.status is JobStatus.QUEUED
    cancels = [
        (e["method"], e["path"], e["body"])
        for e in mock_server.state.journal()
        if e["method"] in ("PATCH", "DELETE")
    ]
    assert cancels == [
        ("PATCH", f"/platform/riskdata/v1/jobs/{edm_job.moodys_job_id}", {"status": "CANCELLED"}),
        ("DELETE", f"/riskmodeler/v1/workflows/{upgrade_job.moodys_job_id}", None),
    ]
    at_mock_status = {
        r["id"]: r["status"] for r in httpx.get(f"{mock_server.base_url}/_mock/jobs").json()
    }
    assert at_mock_status[edm_job.moodys_job_id] == "CANCELLED"


def test_timeout_still_fails_the_job_when_moodys_refuses_the_cancel(
    sqlite_engine, mock_server, moodys_client
):
    _, (job_id,) = add_batch(
        sqlite_engine, at_mock(mock_server, "riskdata"), submitted_at=hours_ago(2)
    )
    mock_server.state.advance(10 + 3 + 5)  # RUNNING: a CREATE_EDM-like job cannot be cancelled

    report = poll_in_flight(sqlite_engine, moodys_client, max_poll_hours=1)

    assert report.timed_out == [job_id]
    (job,) = jobs_by_id(sqlite_engine, [job_id])
    assert (job.status, job.status_reason) == (JobStatus.FAILED, TIMEOUT)
    assert "refused the cancel" in job.last_error and "JOB-609" in job.last_error


def test_http_retries_are_recorded_per_call(sqlite_engine, mock_server, moodys_client):
    _, (bulk_job,) = add_batch(sqlite_engine, at_mock(mock_server, "riskdata"))
    _, (single_job,) = add_batch(
        sqlite_engine, at_mock(mock_server, "databridge"), family="databridge"
    )
    _fault(mock_server, kind="status", status=503, route="/platform/riskdata/v1/jobs", next_n=1)
    _fault(mock_server, kind="status", status=429, route="/databridge/v1/jobs/*", next_n=1)

    report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.retries == 2 and report.error is None
    with transaction(sqlite_engine) as session:
        retries = list(session.scalars(select(JobRetry).order_by(JobRetry.id)))
    assert [(r.job_id, r.route, r.status_code) for r in retries] == [
        (None, "/platform/riskdata/v1/jobs", 503),
        (
            single_job,
            f"/databridge/v1/jobs/{jobs_by_id(sqlite_engine, [single_job])[0].moodys_job_id}",
            429,
        ),
    ]
    assert {j.status for j in jobs_by_id(sqlite_engine, [bulk_job, single_job])} == {
        JobStatus.QUEUED
    }


def test_an_outage_stops_the_reads_and_keeps_what_was_read(
    sqlite_engine, mock_server, moodys_client
):
    _, (read_first,) = add_batch(sqlite_engine, at_mock(mock_server, "riskdata"))
    _, down = add_batch(sqlite_engine, at_mock(mock_server, "model", 2), family="model")
    _fault(mock_server, kind="status", status=503, route="/platform/model/v1/jobs*")

    report = poll_in_flight(sqlite_engine, moodys_client, max_poll_hours=0)

    assert report.error and "503" in report.error
    assert report.retries == moodys_client.max_retries
    (first,) = jobs_by_id(sqlite_engine, [read_first])
    assert first.status is JobStatus.QUEUED  # read and written; no cancel tried while down
    assert report.timed_out == []
    for job in jobs_by_id(sqlite_engine, down):
        assert job.status is JobStatus.SUBMITTED and job.last_polled_at is None
    with transaction(sqlite_engine) as session:
        assert session.scalar(select(func.count()).select_from(JobRetry)) == report.retries


def test_a_job_changed_meanwhile_is_left_for_the_next_tick(
    sqlite_engine, mock_server, moodys_client, monkeypatch
):
    moved_to = JobStatus.CANCEL_REQUESTED
    from irp_dagster.persistence.models import Job
    from irp_dagster.services.poll_reads import Reader

    _, (job_id,) = add_batch(sqlite_engine, at_mock(mock_server, "riskdata"))
    real_read = Reader.read_family

    def read_then_operator_acts(self, *args, **kw):
        real_read(self, *args, **kw)
        with transaction(sqlite_engine) as session:
            session.get(Job, job_id).status = moved_to

    monkeypatch.setattr(Reader, "read_family", read_then_operator_acts)
    report = poll_in_flight(sqlite_engine, moodys_client)

    assert report.changed == 0
    (job,) = jobs_by_id(sqlite_engine, [job_id])
    assert job.status is moved_to and job.moodys_status is None
