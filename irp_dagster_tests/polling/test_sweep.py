"""The recovery sweep and cycle summary jobs, run in-process, and their schedules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg
import httpx
from sqlalchemy import select, update

from irp_dagster.defs.batch_assets import BATCH_COMPLETED, batch_key, results_key
from irp_dagster.defs.schedules import (
    SWEEP_JOB,
    cycle_summary_schedule,
    recovery_sweep_schedule,
)
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, utcnow
from irp_dagster_tests.polling.conftest import CYCLE, add_batch, at_mock, hours_ago, jobs_by_id

EDM = BatchType.EDM_CREATION


def _output_metadata(result: dg.ExecuteInProcessResult, op: str) -> dict:
    (event,) = [e for e in result.events_for_node(op) if e.event_type_value == "STEP_OUTPUT"]
    return {k: v.value for k, v in event.event_specific_data.metadata.items()}


def test_stuck_submissions_are_resent_with_their_request_id(cycle_env, monkeypatch) -> None:
    from irp_dagster.moodys.client import MoodysClient

    env = cycle_env
    real_submit = MoodysClient.submit

    def crash_after_post(self, path, body, request_id, **kw):
        real_submit(self, path, body, request_id, **kw)
        raise RuntimeError("the run died before recording the answer")

    monkeypatch.setattr(MoodysClient, "submit", crash_after_post)
    env.materialize(dg.AssetKey("configuration"), batch_key(EDM), raise_on_error=False)
    monkeypatch.setattr(MoodysClient, "submit", real_submit)
    stuck = env.jobs()[0]
    assert stuck.status is JobStatus.SUBMITTING and stuck.moodys_job_id is None

    fresh = env.run_job(SWEEP_JOB)
    assert _output_metadata(fresh, "recovery_sweep_op")["resubmitted_jobs"] == 0
    assert env.jobs()[0].status is JobStatus.SUBMITTING  # may still be in flight: not touched

    with transaction(env.engine) as session:
        session.execute(
            update(Job).where(Job.id == stuck.id).values(updated_at=utcnow() - timedelta(hours=1))
        )
    result = env.run_job(SWEEP_JOB)

    assert result.success
    assert _output_metadata(result, "recovery_sweep_op")["resubmitted_jobs"] == 3
    for job in env.jobs():
        assert job.status is JobStatus.SUBMITTED and job.moodys_job_id
        assert env.mock.state.workflows_for_request_id(job.request_id) == 1


def test_jobs_not_polled_for_too_long_are_polled(ops_env) -> None:
    env = ops_env
    _, (stale, recent) = add_batch(
        env.engine, at_mock(env.mock, "riskdata", 2), cycle=CYCLE, submitted_at=hours_ago(1)
    )
    polled_at = utcnow() - timedelta(minutes=2)
    with transaction(env.engine) as session:
        session.execute(update(Job).where(Job.id == recent).values(last_polled_at=polled_at))

    result = env.run_job(
        SWEEP_JOB, {"ops": {"recovery_sweep_op": {"config": {"unpolled_minutes": 5}}}}
    )

    assert _output_metadata(result, "recovery_sweep_op")["polled_jobs"] == 1
    stale_job, recent_job = jobs_by_id(env.engine, [stale, recent])
    assert stale_job.status is JobStatus.QUEUED and stale_job.last_polled_at is not None
    assert recent_job.status is JobStatus.SUBMITTED and recent_job.last_polled_at == polled_at
    (call,) = env.mock.state.journal("/platform/riskdata/v1/jobs", "GET")
    query = httpx.QueryParams(call["query"])["filter"]
    assert stale_job.moodys_job_id in query and recent_job.moodys_job_id not in query


def _finished_batch(env, completed_at: datetime) -> int:
    batch_id, job_ids = add_batch(
        env.engine, ["m1"], cycle=CYCLE, status=JobStatus.FINISHED, submitted_at=hours_ago(2)
    )
    with transaction(env.engine) as session:
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids))
            .values(completed_at=completed_at, result={"exposure_id": 1})
        )
    return batch_id


def test_stale_recons_are_reconciled_and_logged_as_results_materializations(ops_env) -> None:
    env = ops_env
    stale = _finished_batch(env, hours_ago(1))
    # A second cycle's batch, finished just now: the sensor's recon request may still come.
    recent_id, recent_jobs = add_batch(env.engine, ["m2"], cycle="other", status=JobStatus.FINISHED)
    with transaction(env.engine) as session:
        session.execute(update(Job).where(Job.id.in_(recent_jobs)).values(completed_at=utcnow()))

    result = env.run_job(SWEEP_JOB)

    assert _output_metadata(result, "recovery_sweep_op")["reconciled_batches"] == [stale]
    with transaction(env.engine) as session:
        statuses = dict(session.execute(select(Batch.id, Batch.status)).all())
        recent_recon = session.get(Batch, recent_id).last_recon_at
    assert statuses == {stale: BatchStatus.COMPLETED, recent_id: BatchStatus.ACTIVE}
    assert recent_recon is None
    (materialization,) = result.asset_materializations_for_node("recovery_sweep_op")
    assert materialization.asset_key == results_key(EDM) and materialization.partition == CYCLE
    assert materialization.metadata["batch_status"].value == "COMPLETED"
    assert materialization.metadata["reconciled_by"].value == SWEEP_JOB
    latest = env.instance.get_latest_materialization_event(results_key(EDM))
    assert latest.dagster_event.partition == CYCLE
    (check,) = [
        e.event_specific_data
        for e in result.events_for_node("recovery_sweep_op")
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert (check.check_name, check.passed, check.partition) == (BATCH_COMPLETED, True, CYCLE)

    again = env.run_job(SWEEP_JOB)  # reconciled: no longer stale
    assert _output_metadata(again, "recovery_sweep_op")["reconciled_batches"] == []


def test_cycle_summary_reports_every_active_cycle(ops_env) -> None:
    env = ops_env
    _, (ok, bad) = add_batch(env.engine, ["m1", "m2"], cycle=CYCLE, status=JobStatus.FINISHED)
    with transaction(env.engine) as session:
        session.execute(
            update(Job)
            .where(Job.id == bad)
            .values(status=JobStatus.FAILED, last_error="Peril not licensed")
        )

    result = env.run_job("cycle_summary")

    assert result.success
    metadata = _output_metadata(result, "cycle_summary_op")
    assert metadata["active_cycles"] == 1
    text = metadata[f"cycle {CYCLE}"]
    assert "| ACTIVE | 1 |" in text and "| FINISHED | 1 |" in text and "| FAILED | 1 |" in text
    assert "Peril not licensed" in text and f"| {bad} |" in text


def test_schedules_request_their_jobs_and_the_sweep_never_overlaps(ops_env) -> None:
    assert recovery_sweep_schedule.cron_schedule == "*/15 * * * *"
    assert recovery_sweep_schedule.default_status is dg.DefaultScheduleStatus.RUNNING
    assert cycle_summary_schedule.cron_schedule == "0 6 * * *"
    when = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    instance = ops_env.instance

    def evaluate(schedule: dg.ScheduleDefinition):
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=when) as ctx:
            return schedule.evaluate_tick(ctx)

    assert [r.job_name for r in evaluate(cycle_summary_schedule).run_requests] == [None]
    assert len(evaluate(recovery_sweep_schedule).run_requests) == 1
    instance.add_run(
        dg.DagsterRun(
            job_name=SWEEP_JOB, run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED
        )
    )
    assert not evaluate(recovery_sweep_schedule).run_requests


def test_the_code_location_carries_the_jobs_and_schedules() -> None:
    # Not ``irp_dagster.definitions``: importing it binds the resources to this process's
    # environment once, for every later test (the demo sets its own).
    import irp_dagster.defs
    from irp_dagster.defs.resources import DatabaseResource, MoodysResource

    unbound = MoodysResource(base_url="http://127.0.0.1:9", api_key="k", resource_group_id="rg")
    defs = dg.Definitions.merge(
        dg.load_definitions_from_package_module(irp_dagster.defs),
        dg.Definitions(resources={"database": DatabaseResource(), "moodys": unbound}),
    )
    assert defs.resolve_job_def(SWEEP_JOB).name == SWEEP_JOB
    assert defs.resolve_job_def("cycle_summary").name == "cycle_summary"
    names = {s.name for s in defs.schedules}
    assert {"recovery_sweep_schedule", "daily_cycle_summary"} <= names
