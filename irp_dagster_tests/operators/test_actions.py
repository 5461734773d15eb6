"""The operator actions at the service level, on SQLite and PostgreSQL: their effects, their
audit rows, and their refusals (which write nothing)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from irp_dagster.domain.statuses import BatchStatus, CycleStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job, JobConfiguration
from irp_dagster.services import operators as ops
from irp_dagster.services.operators import OperatorActionError
from irp_dagster.services.recon import reconcile_batch
from irp_dagster_tests.operators._support import (
    audit_rows,
    batch,
    build_batch,
    job,
    snapshot,
)

S = JobStatus


def refused(engine, match: str, action, *args, **kwargs) -> None:
    """The action is refused with ``match`` in its message and writes nothing."""
    before = snapshot(engine)
    with pytest.raises(OperatorActionError, match=match):
        action(*args, **kwargs)
    assert snapshot(engine) == before


# -- cancel --------------------------------------------------------------------------------


def test_cancel_running_job_asks_moodys_then_marks_cancel_requested(engine, client, recorder):
    built = build_batch(engine, [S.RUNNING, S.RUNNING])
    result = ops.cancel_job(engine, client, built.job_ids[0], actor="ann", reason="wrong EDM")

    call = recorder.calls[-1]
    assert (call.method, call.path) == ("PATCH", f"/platform/riskdata/v1/jobs/M{built.batch_id}-0")
    assert call.body == {"status": "CANCELLED"}
    assert job(engine, built.job_ids[0]).status is S.CANCEL_REQUESTED
    assert job(engine, built.job_ids[1]).status is S.RUNNING
    (row,) = audit_rows(engine)
    assert (row.actor, row.action, row.target_type, row.target_id) == (
        "ann",
        "cancel_job",
        "job",
        built.job_ids[0],
    )
    assert (row.reason, row.cycle_name) == ("wrong EDM", built.cycle)
    assert row.before == {"batch_status": "ACTIVE", "jobs": {str(built.job_ids[0]): "RUNNING"}}
    assert row.after["jobs"] == {str(built.job_ids[0]): "CANCEL_REQUESTED"}
    assert row.created_at is not None
    assert result.batch_ids == (built.batch_id,)


def test_cancel_legacy_workflow_uses_delete(engine, client, recorder):
    built = build_batch(engine, [S.QUEUED], family="workflow")
    ops.cancel_job(engine, client, built.job_ids[0], actor="ann")
    assert [(c.method, c.path) for c in recorder.calls] == [
        ("DELETE", f"/riskmodeler/v1/workflows/M{built.batch_id}-0")
    ]


def test_cancel_initiated_job_goes_cancelled_without_moodys(engine, client, recorder):
    built = build_batch(engine, [S.INITIATED])
    ops.cancel_job(engine, client, built.job_ids[0], actor="ann")
    assert not recorder.calls
    assert job(engine, built.job_ids[0]).status is S.CANCELLED


def test_cancel_refusals_write_nothing(engine, client, recorder):
    built = build_batch(engine, [S.FINISHED, S.SUBMITTING, S.CANCEL_REQUESTED])
    finished, submitting, cancelling = built.job_ids
    refused(engine, "already FINISHED", ops.cancel_job, engine, client, finished, actor="a")
    refused(engine, "SUBMITTING", ops.cancel_job, engine, client, submitting, actor="a")
    refused(engine, "already requested", ops.cancel_job, engine, client, cancelling, actor="a")
    refused(engine, "Job 999999 does not exist", ops.cancel_job, engine, client, 999999, actor="a")
    assert not recorder.calls


def test_moodys_refusal_is_reported_and_nothing_written(engine, client, recorder):
    built = build_batch(engine, [S.RUNNING])
    path = f"/platform/riskdata/v1/jobs/M{built.batch_id}-0"
    recorder.answers[("PATCH", path)] = (400, {"code": "JOB-609", "message": "not cancellable"})
    refused(engine, "JOB-609", ops.cancel_job, engine, client, built.job_ids[0], actor="a")


def test_cancel_batch_cancels_what_it_can_and_lists_the_rest(engine, client, recorder):
    built = build_batch(engine, [S.INITIATED, S.RUNNING, S.RUNNING, S.FINISHED, S.SUBMITTING])
    waiting, running, refusing, finished, submitting = built.job_ids
    recorder.answers[("PATCH", f"/platform/riskdata/v1/jobs/M{built.batch_id}-2")] = (
        400,
        {"code": "JOB-609", "message": "not cancellable"},
    )
    result = ops.cancel_batch(engine, client, built.batch_id, actor="bob", reason="stop")

    statuses = {j: job(engine, j).status for j in built.job_ids}
    assert statuses == {
        waiting: S.CANCELLED,
        running: S.CANCEL_REQUESTED,
        refusing: S.RUNNING,
        finished: S.FINISHED,
        submitting: S.SUBMITTING,
    }
    assert "JOB-609" in result.message
    (row,) = audit_rows(engine)
    assert row.action == "cancel_batch" and row.target_id == built.batch_id
    assert set(row.after["refused_by_moodys"]) == {str(refusing)}
    assert set(row.after["left"]) == {str(submitting)}
    # Nothing is left to submit: the sensor's top-up finds no waiting job.
    outcome = reconcile_batch(engine, built.batch_id)
    assert outcome.status is BatchStatus.ACTIVE  # the cancel-requested job is still in flight


def test_cancel_batch_with_nothing_to_cancel_is_refused(engine, client):
    built = build_batch(engine, [S.FINISHED], batch_status=BatchStatus.COMPLETED)
    refused(engine, "no job to cancel", ops.cancel_batch, engine, client, built.batch_id, actor="a")


# -- resubmit ------------------------------------------------------------------------------


def test_resubmit_creates_a_child_job_and_reopens_the_batch(engine):
    built = build_batch(engine, [S.FAILED, S.FINISHED], batch_status=BatchStatus.FAILED)
    failed = built.job_ids[0]
    result = ops.resubmit_job(engine, failed, actor="ann", reason="transient")

    (new_id,) = result.new_job_ids
    new, old = job(engine, new_id), job(engine, failed)
    assert (new.parent_job_id, new.status, new.skipped) == (failed, S.INITIATED, False)
    assert new.job_configuration_id == old.job_configuration_id
    assert new.request_id != old.request_id and len(new.request_id) == 36
    assert old.skipped and old.status is S.FAILED
    assert old.skipped_reason == f"resubmitted as job {new_id}: transient"
    assert batch(engine, built.batch_id).status is BatchStatus.ACTIVE
    (row,) = audit_rows(engine)
    assert row.after["new_job_id"] == new_id and row.after["overridden"] is False
    assert row.before["batch_status"] == "FAILED"


def test_resubmit_with_override_flags_the_new_configuration(engine):
    built = build_batch(engine, [S.FAILED], batch_status=BatchStatus.FAILED)
    result = ops.resubmit_job(
        engine,
        built.job_ids[0],
        actor="ann",
        reason="quota: use the spare server",
        override={"Database": "EDM0_b", "Version": "23"},
    )
    with transaction(engine) as session:
        new = session.get(Job, result.new_job_ids[0])
        replacement = session.get(JobConfiguration, new.job_configuration_id)
        original = session.get(JobConfiguration, built.configuration_ids[0])
        assert replacement.data == {"Database": "EDM0_b", "Version": 23}  # number stays a number
        assert replacement.overridden and replacement.override_reason == (
            "quota: use the spare server"
        )
        assert replacement.parent_job_configuration_id == original.id
        assert replacement.key == original.key
        assert original.skipped and original.skipped_reason == "quota: use the spare server"
        assert original.override_job_configuration_id == replacement.id
    (row,) = audit_rows(engine)
    assert row.reason == "quota: use the spare server"
    assert row.before["data"] == {"Database": "EDM0", "Version": 22}
    assert row.after["override"] == {"Database": "EDM0_b", "Version": "23"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"override": {"Database": "X"}}, "reason is mandatory"),
        ({"override": {"Database": "X"}, "reason": "   "}, "reason is mandatory"),
        ({"override": {"Nope": "X"}, "reason": "r"}, "Unknown configuration key"),
        ({"override": {"Database": "EDM0"}, "reason": "r"}, "changes nothing"),
        ({"override": {"Version": "twenty"}, "reason": "r"}, "not a int"),
        ({"reason": "x" * 1001}, "at most 1000"),
    ],
)
def test_resubmit_refusals_write_nothing(engine, kwargs, match):
    built = build_batch(engine, [S.FAILED], batch_status=BatchStatus.FAILED)
    refused(engine, match, ops.resubmit_job, engine, built.job_ids[0], actor="a", **kwargs)


def test_resubmit_refuses_running_and_already_resubmitted_jobs(engine):
    built = build_batch(engine, [S.RUNNING, S.FAILED])
    running, failed = built.job_ids
    refused(engine, "only a job that has ended", ops.resubmit_job, engine, running, actor="a")
    new = ops.resubmit_job(engine, failed, actor="a").new_job_ids[0]
    refused(engine, f"job {new} is", ops.resubmit_job, engine, failed, actor="a")


def test_resubmit_failed_takes_every_failed_effective_job(engine):
    statuses = [S.FAILED, S.ERROR, S.CANCELLED, S.FINISHED, S.FORCED_OK]
    built = build_batch(engine, statuses, batch_status=BatchStatus.ERROR)
    result = ops.resubmit_failed(engine, built.batch_id, actor="ann")
    assert set(result.after["resubmitted"]) == {str(j) for j in built.job_ids[:3]}
    with transaction(engine) as session:
        children = session.scalars(select(Job).where(Job.parent_job_id.is_not(None))).all()
    assert sorted(c.parent_job_id for c in children) == built.job_ids[:3]
    assert all(c.status is S.INITIATED for c in children)
    assert batch(engine, built.batch_id).status is BatchStatus.ACTIVE
    # A second call finds nothing: the new jobs have not failed.
    refused(engine, "no FAILED", ops.resubmit_failed, engine, built.batch_id, actor="a")


def test_resubmit_keeps_a_paused_batch_paused(engine):
    built = build_batch(engine, [S.FAILED, S.INITIATED], batch_status=BatchStatus.PAUSED)
    ops.resubmit_job(engine, built.job_ids[0], actor="a")
    assert batch(engine, built.batch_id).status is BatchStatus.PAUSED


# -- skip, force-OK -------------------------------------------------------------------------


def test_skip_job_leaves_its_configuration_awaiting_action(engine):
    built = build_batch(engine, [S.FAILED, S.FINISHED], batch_status=BatchStatus.FAILED)
    refused(
        engine, "reason is mandatory", ops.skip_job, engine, built.job_ids[0], actor="a", reason=""
    )
    result = ops.skip_job(engine, built.job_ids[0], actor="a", reason="handled by hand")
    assert "awaits action" in result.message
    outcome = reconcile_batch(engine, built.batch_id)
    assert outcome.status is BatchStatus.ACTIVE
    assert outcome.summary["awaiting_action_config_ids"] == [built.configuration_ids[0]]
    refused(
        engine, "already skipped", ops.skip_job, engine, built.job_ids[0], actor="a", reason="again"
    )


def test_skip_refuses_jobs_at_moodys(engine):
    built = build_batch(engine, [S.RUNNING])
    refused(
        engine, "cancel it before", ops.skip_job, engine, built.job_ids[0], actor="a", reason="r"
    )
    refused(
        engine,
        "cancel them before",
        ops.skip_job_configuration,
        engine,
        built.configuration_ids[0],
        actor="a",
        reason="r",
    )


def test_skip_configuration_takes_its_waiting_jobs_out(engine):
    built = build_batch(engine, [S.INITIATED, S.FINISHED])
    ops.skip_job_configuration(engine, built.configuration_ids[0], actor="a", reason="not needed")
    assert job(engine, built.job_ids[0]).skipped
    assert reconcile_batch(engine, built.batch_id).status is BatchStatus.COMPLETED
    (row,) = audit_rows(engine)
    assert row.after["skipped_job_ids"] == [built.job_ids[0]]
    refused(
        engine, "does not exist", ops.skip_job_configuration, engine, 999999, actor="a", reason="r"
    )


def test_force_ok_accepts_a_failed_job_and_completes_the_batch(engine):
    built = build_batch(engine, [S.FAILED, S.FINISHED], batch_status=BatchStatus.FAILED)
    failed, finished = built.job_ids
    refused(engine, "reason is mandatory", ops.force_ok_job, engine, failed, actor="a", reason="")
    refused(
        engine,
        "only FAILED, ERROR or CANCELLED",
        ops.force_ok_job,
        engine,
        finished,
        actor="a",
        reason="r",
    )
    ops.force_ok_job(engine, failed, actor="a", reason="EDM created by hand")
    forced = job(engine, failed)
    assert (forced.status, forced.status_reason) == (S.FORCED_OK, "EDM created by hand")
    assert reconcile_batch(engine, built.batch_id).status is BatchStatus.COMPLETED


# -- pause, resume, priority, archive -------------------------------------------------------


def test_pause_and_resume(engine):
    built = build_batch(engine, [S.INITIATED, S.RUNNING])
    refused(engine, "only a PAUSED batch", ops.resume_batch, engine, built.batch_id, actor="a")
    ops.pause_batch(engine, built.batch_id, actor="a", reason="Moody's maintenance")
    assert batch(engine, built.batch_id).status is BatchStatus.PAUSED
    refused(engine, "is PAUSED", ops.pause_batch, engine, built.batch_id, actor="a")
    ops.resume_batch(engine, built.batch_id, actor="b")
    assert batch(engine, built.batch_id).status is BatchStatus.ACTIVE
    assert [(r.action, r.before, r.after) for r in audit_rows(engine)] == [
        ("pause_batch", {"batch_status": "ACTIVE"}, {"batch_status": "PAUSED"}),
        ("resume_batch", {"batch_status": "PAUSED"}, {"batch_status": "ACTIVE"}),
    ]


def test_set_priority_patches_platform_jobs_that_have_not_started(engine, client, recorder):
    built = build_batch(engine, [S.QUEUED, S.PENDING, S.RUNNING, S.FINISHED, S.INITIATED])
    result = ops.set_priority(engine, client, built.batch_id, "High", actor="a")
    assert [(c.method, c.path, c.body) for c in recorder.calls] == [
        ("PATCH", f"/platform/riskdata/v1/jobs/M{built.batch_id}-{n}", {"priority": "high"})
        for n in (0, 1)
    ]
    assert result.after["patched_job_ids"] == built.job_ids[:2]
    assert result.after["unchanged_job_ids"] == [built.job_ids[2]]  # running: too late
    with transaction(engine) as session:
        assert ops.batch_priority(session, built.batch_id) == "high"
    assert ops.dagster_priority("high") > ops.dagster_priority("medium") == 0
    refused(
        engine,
        "one of verylow",
        ops.set_priority,
        engine,
        client,
        built.batch_id,
        "urgent",
        actor="a",
    )


def test_set_priority_refused_by_moodys_writes_nothing(engine, client, recorder):
    built = build_batch(engine, [S.QUEUED])
    path = f"/platform/riskdata/v1/jobs/M{built.batch_id}-0"
    recorder.answers[("PATCH", path)] = (400, {"code": "JOB-608", "message": "only QUEUED"})
    refused(engine, "JOB-608", ops.set_priority, engine, client, built.batch_id, "low", actor="a")


def test_archive_cycle_refuses_open_batches_then_archives(engine):
    built = build_batch(engine, [S.FAILED], batch_status=BatchStatus.ACTIVE)
    refused(engine, "open batches: edm_creation", ops.archive_cycle, engine, built.cycle, actor="a")
    reconcile_batch(engine, built.batch_id)  # -> FAILED (not open)
    ops.archive_cycle(engine, built.cycle, actor="a", reason="cycle closed")
    with transaction(engine) as session:
        from irp_dagster.persistence.repository import get_cycle

        assert get_cycle(session, built.cycle).status is CycleStatus.ARCHIVED
    refused(engine, "already ARCHIVED", ops.archive_cycle, engine, built.cycle, actor="a")
    refused(
        engine,
        "ARCHIVED; it takes no actions",
        ops.force_ok_job,
        engine,
        built.job_ids[0],
        actor="a",
        reason="r",
    )
    refused(engine, "does not exist", ops.archive_cycle, engine, "nope", actor="a")


def test_an_actor_is_mandatory(engine):
    built = build_batch(engine, [S.FAILED])
    refused(
        engine,
        "actor is mandatory",
        ops.force_ok_job,
        engine,
        built.job_ids[0],
        actor=" ",
        reason="r",
    )
