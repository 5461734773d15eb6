"""An operator rescues a cycle, on real parts (the mock Moody's over HTTP, Dagster runs, SQLite
and PostgreSQL): a job fails at Moody's -> batch FAILED -> resubmit with an override (reason)
-> batch COMPLETED -> the audit trail shows the failure and the override with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import click
import dagster as dg
import httpx
import pytest
from click.testing import CliRunner

from irp_dagster.cli.operators import register
from irp_dagster.defs.batch_assets import batch_assets, batch_key, results_key
from irp_dagster.defs.configuration import configuration
from irp_dagster.defs.operator_jobs import OPERATOR_JOBS, operator_cancel_batch
from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.defs.sensors import moodys_job_sensor
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.configurations import register_workbook
from irp_dagster.workbook import validate_workbook, write_sample_workbook

CYCLE = "2026-Q1"
EDM = BatchType.EDM_CREATION


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return write_sample_workbook(tmp_path_factory.mktemp("wb") / "sample.xlsx")


class Cycle:
    """The cycle's Dagster side: definitions, an instance, and how the daemon would drive it."""

    def __init__(self, engine, instance, defs, resources, mock):
        self.engine, self.instance, self.defs = engine, instance, defs
        self.resources, self.mock = resources, mock

    def materialize(self, *keys: dg.AssetKey) -> dg.ExecuteInProcessResult:
        return self.defs.resolve_implicit_global_asset_job_def().execute_in_process(
            asset_selection=list(keys),
            partition_key=CYCLE,
            instance=self.instance,
            raise_on_error=False,
        )

    def poll_and_reconcile(self) -> None:
        """Let Moody's finish, one sensor tick, then the reconciliation run it asks for."""
        self.mock.state.advance(3600)
        with dg.build_sensor_context(
            instance=self.instance, resources=self.resources, definitions=self.defs
        ) as context:
            (request,) = moodys_job_sensor(context).run_requests
        self.materialize(*request.asset_selection)

    def launch(self, job_name: str, config: dict) -> dg.ExecuteInProcessResult:
        job = self.defs.get_job_def(job_name)
        return job.execute_in_process(
            run_config={"ops": {f"{job_name}_op": {"config": config}}},
            instance=self.instance,
            tags={"dagster/user": "ann@example.com"},
            raise_on_error=False,
        )

    def batch(self) -> Batch:
        with transaction(self.engine) as session:
            return session.query(Batch).one()

    def jobs(self) -> list[Job]:
        with transaction(self.engine) as session:
            return session.query(Job).order_by(Job.id).all()


@pytest.fixture
def cycle(database_url, engine, mock_server, workbook):
    register_workbook(engine, CYCLE, workbook)
    resources = {
        "database": DatabaseResource(url=database_url),
        "moodys": MoodysResource(
            base_url=mock_server.base_url,
            api_key="k",
            resource_group_id="rg",
            max_retries=1,
            backoff_max_seconds=0.05,
        ),
    }
    defs = dg.Definitions(
        assets=[configuration, *batch_assets],
        jobs=OPERATOR_JOBS,
        sensors=[moodys_job_sensor],
        resources=resources,
        executor=dg.in_process_executor,
    )
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(cycles.name, [CYCLE])
    return Cycle(engine, instance, defs, resources, mock_server)


def test_failed_job_resubmitted_with_override_completes_the_batch(cycle, workbook, database_url):
    doomed = validate_workbook(workbook).configuration["databases"][0]["Database"]
    httpx.post(
        f"{cycle.mock.base_url}/_mock/outcomes",
        json={"match": {"name_like": doomed}, "outcome": "FAILED", "message": "EDM quota exceeded"},
    ).raise_for_status()
    cycle.materialize(dg.AssetKey("configuration"), batch_key(EDM))
    cycle.poll_and_reconcile()
    assert cycle.batch().status is BatchStatus.FAILED
    (failed,) = [j for j in cycle.jobs() if j.status is JobStatus.FAILED]
    assert "EDM quota exceeded" in failed.last_error

    renamed = f"{doomed}_b"
    result = cycle.launch(
        "operator_resubmit_job",
        {
            "job_id": failed.id,
            "override_json": json.dumps({"Database": renamed}),
            "reason": "quota on the first server; new EDM name",
        },
    )
    assert result.success
    retry = cycle.jobs()[-1]
    assert (retry.parent_job_id, retry.status) == (failed.id, JobStatus.SUBMITTED)  # at once
    assert retry.moodys_job_id and retry.request_id != failed.request_id
    (materialization,) = result.asset_materializations_for_node("operator_resubmit_job_op")
    assert materialization.metadata["batch_status"].value == "ACTIVE"

    cycle.poll_and_reconcile()
    assert cycle.batch().status is BatchStatus.COMPLETED
    latest = cycle.instance.get_latest_materialization_event(results_key(EDM))
    assert latest.asset_materialization.metadata["batch_status"].value == "COMPLETED"
    with transaction(cycle.engine) as session:
        retried = session.get(Job, retry.id)
        assert retried.status is JobStatus.FINISHED
        assert retried.result["database_name"].startswith(renamed)
        assert session.get(JobConfiguration, retried.job_configuration_id).overridden

    group = click.Group("irp")
    register(group)
    audit = CliRunner().invoke(group, ["audit", CYCLE], env={"IRP_DATABASE_URL": database_url})
    (line,) = audit.output.splitlines()
    assert "ann@example.com resubmit_job job" in line
    assert "reason=quota on the first server; new EDM name" in line
    assert '"status": "FAILED"' in line and "EDM quota exceeded" in line
    assert f'"Database": "{renamed}"' in line


def test_cancel_batch_at_the_mock_ends_cancelled(cycle):
    cycle.materialize(dg.AssetKey("configuration"), batch_key(EDM))
    submitted = cycle.jobs()
    result = cycle.launch(operator_cancel_batch.name, {"cycle": CYCLE, "batch_type": str(EDM)})
    assert result.success
    assert {j.status for j in cycle.jobs()} == {JobStatus.CANCEL_REQUESTED}
    cycle.poll_and_reconcile()  # the sensor follows Moody's to CANCELLED
    assert {j.status for j in cycle.jobs()} == {JobStatus.CANCELLED}
    assert cycle.batch().status is BatchStatus.CANCELLED
    for job in submitted:
        state = cycle.mock.state
        assert state.snapshot(state.find_job(job.moodys_job_id, "riskdata")).status == "CANCELLED"
