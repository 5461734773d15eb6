"""Skip a job or a job configuration, force-OK a job: database-only actions with a reason.

A job at Moody's (SUBMITTING or in flight) is never skipped: cancel it first, so nothing keeps
running unseen. A skipped configuration takes its INITIATED jobs with it (they would otherwise
wait forever and block reconciliation).
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from irp_dagster.domain.statuses import JOB_IN_FLIGHT, JOB_UNSUCCESSFUL, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job
from irp_dagster.persistence.repository import set_job_status
from irp_dagster.services.operators._common import (
    ActionResult,
    Audit,
    OperatorActionError,
    load_job,
    load_job_configuration,
    reopen,
    require_actor,
    require_reason,
)

AT_MOODYS = frozenset({JobStatus.SUBMITTING, *JOB_IN_FLIGHT})


def skip_job(engine: Engine, job_id: int, *, actor: str, reason: str) -> ActionResult:
    """Flag a job skipped (it keeps its status); its configuration may then await action."""
    require_actor(actor)
    why = require_reason(reason, "skip a job")
    with transaction(engine) as session:
        job, batch, cycle = load_job(session, job_id)
        if job.skipped:
            raise OperatorActionError(f"Job {job_id} is already skipped ({job.skipped_reason})")
        if job.status in AT_MOODYS:
            raise OperatorActionError(
                f"Job {job_id} is {job.status} at Moody's; cancel it before skipping it"
            )
        job.skipped, job.skipped_reason = True, why
        reopen(batch)
        live_siblings = session.scalar(
            select(func.count()).where(
                Job.job_configuration_id == job.job_configuration_id, Job.skipped.is_(False)
            )
        )
        message = f"Job {job_id} skipped"
        if not live_siblings and not job.job_configuration.skipped:
            message += (
                f"; job configuration {job.job_configuration_id} now awaits action "
                "(resubmit the job or skip the configuration)"
            )
        return Audit("skip_job", "job", job_id, cycle.name, actor, why).record(
            session,
            message,
            before={"status": str(job.status), "skipped": False},
            after={"status": str(job.status), "skipped": True},
            batch_ids=(batch.id,),
        )


def skip_job_configuration(
    engine: Engine, job_configuration_id: int, *, actor: str, reason: str
) -> ActionResult:
    """Take a job configuration out of its batch (and of reconciliation), with the reason."""
    require_actor(actor)
    why = require_reason(reason, "skip a job configuration")
    with transaction(engine) as session:
        row, batch, cycle = load_job_configuration(session, job_configuration_id)
        if row.skipped:
            raise OperatorActionError(
                f"Job configuration {row.id} is already skipped ({row.skipped_reason})"
            )
        busy = [j.id for j in row.jobs if j.status in AT_MOODYS and not j.skipped]
        if busy:
            raise OperatorActionError(
                f"Job configuration {job_configuration_id} has job(s) {busy} at Moody's; "
                "cancel them before skipping it"
            )
        row.skipped, row.skipped_reason = True, why
        waiting = [j for j in row.jobs if j.status is JobStatus.INITIATED and not j.skipped]
        for job in waiting:
            job.skipped, job.skipped_reason = True, why
        reopen(batch)
        target = Audit(
            "skip_job_configuration", "job_configuration", row.id, cycle.name, actor, why
        )
        return target.record(
            session,
            f"Job configuration {row.id} ({row.key}) skipped",
            before={"key": row.key, "skipped": False},
            after={"key": row.key, "skipped": True, "skipped_job_ids": [j.id for j in waiting]},
            batch_ids=(batch.id,),
        )


def force_ok_job(engine: Engine, job_id: int, *, actor: str, reason: str) -> ActionResult:
    """Accept a FAILED, ERROR or CANCELLED job as done (FORCED_OK), with the reason."""
    require_actor(actor)
    why = require_reason(reason, "force a job OK")
    with transaction(engine) as session:
        job, batch, cycle = load_job(session, job_id)
        if job.status not in JOB_UNSUCCESSFUL:
            raise OperatorActionError(
                f"Job {job_id} is {job.status}; only FAILED, ERROR or CANCELLED jobs can be "
                "forced OK"
            )
        if job.skipped:
            raise OperatorActionError(
                f"Job {job_id} is skipped ({job.skipped_reason}); force the effective job instead"
            )
        before = str(job.status)
        set_job_status(job, JobStatus.FORCED_OK, reason=why)
        reopen(batch)
        return Audit("force_ok_job", "job", job_id, cycle.name, actor, why).record(
            session,
            f"Job {job_id} is FORCED_OK",
            before={"status": before},
            after={"status": str(job.status)},
            batch_ids=(batch.id,),
        )
