"""The walking-skeleton slice on real parts: configuration -> edm_creation_batch -> sensor ->
edm_creation_results, on SQLite and PostgreSQL, against the mock Moody's over HTTP."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import httpx
import pytest
from sqlalchemy import func, select

from irp_dagster.defs.batch_assets import batch_key, results_key
from irp_dagster.defs.configuration import configuration
from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.defs.sensors import moodys_job_sensor
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, ConfigurationStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import (
    Batch,
    Configuration,
    Job,
    JobRetry,
    JobTrackingLog,
)
from irp_dagster.services.configurations import register_workbook
from irp_dagster.workbook import write_sample_workbook
from irp_dagster_tests.conftest import resources_against

CYCLE = "2026-Q1"
EDM = BatchType.EDM_CREATION


@pytest.fixture(scope="session")
def sample_workbook(tmp_path_factory) -> Path:
    return write_sample_workbook(tmp_path_factory.mktemp("wb") / "sample.xlsx")


@pytest.fixture
def slice_env(database_url, engine, mock_server, sample_workbook):
    """A cycle registered with the sample workbook, a persistent Dagster instance, resources."""
    register_workbook(engine, CYCLE, sample_workbook)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(cycles.name, [CYCLE])
        resources = resources_against(database_url, mock_server.base_url)
        defs = dg.Definitions(
            assets=[configuration, *_slice_assets()],
            sensors=[moodys_job_sensor],
            resources=resources,
            executor=dg.in_process_executor,
        )
        yield _Slice(engine, instance, defs, resources, mock_server)


def _slice_assets():
    from irp_dagster.defs.batch_assets import batch_assets

    return batch_assets


class _Slice:
    def __init__(self, engine, instance, defs, resources, mock):
        self.engine, self.instance, self.defs = engine, instance, defs
        self.resources, self.mock = resources, mock

    def materialize(self, *keys: dg.AssetKey, raise_on_error: bool = True):
        job = self.defs.get_implicit_global_asset_job_def()
        return job.execute_in_process(
            asset_selection=list(keys),
            partition_key=CYCLE,
            instance=self.instance,
            raise_on_error=raise_on_error,
        )

    def tick(self) -> dg.SensorResult:
        with dg.build_sensor_context(
            instance=self.instance, resources=self.resources, definitions=self.defs
        ) as context:
            return moodys_job_sensor(context)

    def submit(self, **kw):
        return self.materialize(dg.AssetKey("configuration"), batch_key(EDM), **kw)

    def jobs(self) -> list[Job]:
        with transaction(self.engine) as session:
            return list(session.scalars(select(Job).order_by(Job.id)))

    def batch(self) -> Batch:
        with transaction(self.engine) as session:
            return session.scalars(select(Batch)).one()


def _databases(workbook: Path) -> list[str]:
    from irp_dagster.workbook import validate_workbook

    return [row["Database"] for row in validate_workbook(workbook).configuration["databases"]]


def test_submit_poll_recon_completed(slice_env, sample_workbook) -> None:
    s = slice_env
    s.submit()
    jobs = s.jobs()
    assert [j.status for j in jobs] == [JobStatus.SUBMITTED] * len(_databases(sample_workbook))
    assert len({j.moodys_job_id for j in jobs}) == len(jobs)
    assert s.batch().status is BatchStatus.ACTIVE

    first = s.tick()
    assert not first.run_requests  # nothing finished yet at the mock
    s.mock.state.advance(3600)
    tick = s.tick()
    assert len(tick.run_requests) == 1
    request = tick.run_requests[0]
    assert request.partition_key == CYCLE
    assert request.asset_selection == [results_key(EDM)]

    result = s.materialize(*request.asset_selection)
    assert result.success
    batch = s.batch()
    assert batch.status is BatchStatus.COMPLETED
    for job in s.jobs():
        assert job.status is JobStatus.FINISHED
        assert job.result["database_name"].startswith(job.result["exposure_name"] + "_")
    with transaction(s.engine) as session:
        assert session.scalar(select(func.count()).select_from(JobTrackingLog)) >= len(jobs)
        configuration_row = session.scalars(select(Configuration)).one()
        assert configuration_row.status is ConfigurationStatus.ACTIVE


def test_failed_job_gives_failed_batch_naming_the_job(slice_env, sample_workbook) -> None:
    s = slice_env
    doomed = _databases(sample_workbook)[0]
    httpx.post(
        f"{s.mock.base_url}/_mock/outcomes",
        json={"match": {"name_like": doomed}, "outcome": "FAILED", "message": "EDM quota exceeded"},
    ).raise_for_status()
    s.submit()
    s.mock.state.advance(3600)
    (request,) = s.tick().run_requests
    result = s.materialize(*request.asset_selection, raise_on_error=False)
    assert not result.success  # the blocking check batch_completed fails the run: red in the UI
    batch = s.batch()
    assert batch.status is BatchStatus.FAILED
    failed = [j for j in s.jobs() if j.status is JobStatus.FAILED]
    assert len(failed) == 1
    assert "EDM quota exceeded" in failed[0].last_error
    with transaction(s.engine) as session:
        from irp_dagster.persistence.models import BatchReconLog

        summary = session.scalars(select(BatchReconLog.summary)).all()[-1]
    assert summary["failed_job_ids"] == [failed[0].id]


def test_sensor_run_key_fires_recon_once_per_state(slice_env) -> None:
    s = slice_env
    s.submit()
    s.mock.state.advance(3600)
    first, second = s.tick(), s.tick()
    assert [r.run_key for r in first.run_requests] == [r.run_key for r in second.run_requests]
    s.materialize(*first.run_requests[0].asset_selection)
    assert not s.tick().run_requests  # reconciled: nothing more to request


def test_crash_after_submitting_then_rematerialize_leaves_one_workflow(
    slice_env, monkeypatch
) -> None:
    from irp_dagster.moodys.client import MoodysClient

    s = slice_env
    real_submit = MoodysClient.submit

    class Crash(Exception):
        pass

    def crash_after_post(self, path, body, request_id, **kw):
        real_submit(self, path, body, request_id, **kw)  # Moody's accepts the job...
        raise Crash("process died before the response was recorded")  # ...we never hear it

    monkeypatch.setattr(MoodysClient, "submit", crash_after_post)
    assert not s.submit(raise_on_error=False).success
    crashed = s.jobs()[0]
    assert crashed.status is JobStatus.SUBMITTING and crashed.moodys_job_id is None

    monkeypatch.setattr(MoodysClient, "submit", real_submit)
    s.submit()
    s.submit()  # and once more: nothing is submitted twice
    for job in s.jobs():
        assert job.status is JobStatus.SUBMITTED
        assert s.mock.state.workflows_for_request_id(job.request_id) == 1


def test_429_and_503_are_retried_and_recorded(slice_env) -> None:
    s = slice_env
    route = "/platform/riskdata/v1/exposuresets/*/exposures"
    for fault in (
        {"status": 429, "retry_after": "1"},
        {"status": 503},
    ):
        httpx.post(
            f"{s.mock.base_url}/_mock/faults",
            json={"route": route, "method": "POST", "kind": "status", "next_n": 1, **fault},
        ).raise_for_status()
    s.submit()
    assert all(j.status is JobStatus.SUBMITTED for j in s.jobs())
    with transaction(s.engine) as session:
        retries = list(session.scalars(select(JobRetry).order_by(JobRetry.id)))
    assert [r.status_code for r in retries] == [429, 503]
    assert retries[0].job_id == s.jobs()[0].id
    assert retries[0].wait_seconds == pytest.approx(0.05)  # Retry-After 1 s, capped by resource


def _configuration_then_batch(database_url: str, moodys: MoodysResource):
    """One run of configuration + edm_creation_batch on a fresh instance; failures allowed."""
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(cycles.name, [CYCLE])
        defs = dg.Definitions(
            assets=[configuration, *_slice_assets()],
            resources={"database": DatabaseResource(url=database_url), "moodys": moodys},
        )
        return defs.get_implicit_global_asset_job_def().execute_in_process(
            asset_selection=[dg.AssetKey("configuration"), batch_key(EDM)],
            partition_key=CYCLE,
            instance=instance,
            raise_on_error=False,
        )


def test_missing_databases_sheet_writes_only_the_error_configuration(
    database_url, engine, mock_server, sample_workbook, tmp_path
) -> None:
    import openpyxl

    broken = tmp_path / "broken.xlsx"
    book = openpyxl.load_workbook(sample_workbook)
    del book["Databases"]
    book.save(broken)
    register_workbook(engine, CYCLE, broken)
    moodys = MoodysResource(base_url=mock_server.base_url, api_key="k", resource_group_id="rg")
    result = _configuration_then_batch(database_url, moodys)
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [False]
    assert "Databases" in str(checks[0].metadata["errors"].value)
    with transaction(engine) as session:
        (row,) = session.scalars(select(Configuration)).all()
        assert row.status is ConfigurationStatus.ERROR
        assert row.data is None
        assert any(e["sheet"] == "Databases" for e in row.errors)
        assert session.scalar(select(func.count()).select_from(Batch)) == 0


@pytest.mark.parametrize("reference_checks", [True, False], ids=["checks", "no-checks"])
def test_unreachable_moodys_fails_clearly_and_writes_no_batch(
    database_url, engine, sample_workbook, monkeypatch, reference_checks
) -> None:
    """With reference checks the workbook is rejected (REF-011, nothing else written); without,
    the batch step fails naming the unreachable host, before writing a batch or a job."""
    monkeypatch.setenv("IRP_REFERENCE_CHECKS", str(reference_checks).lower())
    register_workbook(engine, CYCLE, sample_workbook)
    moodys = MoodysResource(
        base_url="http://127.0.0.1:9",
        api_key="k",
        resource_group_id="rg",
        max_retries=1,
        backoff_max_seconds=0.01,
        timeout_seconds=1,
    )
    result = _configuration_then_batch(database_url, moodys)
    assert not result.success
    if reference_checks:
        with transaction(engine) as session:
            (row,) = session.scalars(select(Configuration)).all()
        assert row.status is ConfigurationStatus.ERROR
        assert {e["code"] for e in row.errors} == {"REF-011"}
    else:
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert "unreachable" in failure.event_specific_data.error.to_string()
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_an_operator_priority_carries_over_to_the_recon_run(slice_env) -> None:
    from irp_dagster.services.operators import set_priority

    s = slice_env
    s.submit()
    with s.resources["moodys"].client() as client:
        set_priority(s.engine, client, s.batch().id, "veryhigh", actor="ops")
    s.mock.state.advance(3600)
    (request,) = s.tick().run_requests
    assert request.tags["dagster/priority"] == "2"
    assert request.tags["irp/batch_id"] == str(s.batch().id)
