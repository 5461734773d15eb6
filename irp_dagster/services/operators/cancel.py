"""Cancel a job or a whole batch: Moody's first, then one transaction with the audit row.

Jobs not yet at Moody's (INITIATED) go CANCELLED at once. Jobs at Moody's are cancelled there
(:func:`irp_dagster.services.polling.cancel_at_moodys` picks the call per family) and marked
CANCEL_REQUESTED; the polling sensor then follows Moody's to CANCELLED. If Moody's refuses,
nothing is written and its error is reported. SUBMITTING jobs (their POST in flight) cannot be
cancelled until they are SUBMITTED.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from irp_dagster.domain.statuses import JOB_TERMINAL, JobStatus, can_transition
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.moodys.errors import MoodysError
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job
from irp_dagster.persistence.repository import set_job_status
from irp_dagster.services.operators._common import (
    ActionResult,
    Audit,
    OperatorActionError,
    load_batch,
    load_job,
    optional_reason,
    reopen,
    require_actor,
)
from irp_dagster.services.polling import cancel_at_moodys

ALREADY_CANCELLING = (JobStatus.CANCEL_REQUESTED, JobStatus.CANCELLING)


@dataclass
class _Plan:
    direct: list[int] = field(default_factory=list)  # INITIATED: CANCELLED in the database
    at_moodys: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> family, Moody's id
    left: dict[int, str] = field(default_factory=dict)  # id -> why it is not cancelled


def _classify(job: Job, plan: _Plan) -> None:
    if job.status in JOB_TERMINAL:
        plan.left[job.id] = f"already {job.status}"
    elif job.status in ALREADY_CANCELLING:
        plan.left[job.id] = f"cancellation already requested ({job.status})"
    elif job.status is JobStatus.INITIATED:
        plan.direct.append(job.id)
    elif job.status is JobStatus.SUBMITTING:
        plan.left[job.id] = "being submitted (SUBMITTING); cancel it once it is SUBMITTED"
    elif job.moodys_family == "databridge" or not job.moodys_job_id:
        plan.left[job.id] = "cannot be cancelled at Moody's (no cancellable Moody's job)"
    else:
        plan.at_moodys[job.id] = (job.moodys_family or "riskdata", job.moodys_job_id)


def _refusals(problems: dict[int, str]) -> str:
    return "; ".join(f"job {i}: {why}" for i, why in problems.items())


def _execute(
    engine: Engine, client: MoodysClient, target: Audit, batch_id: int, plan: _Plan
) -> ActionResult:
    """Moody's first; then the database writes and the audit row in one transaction."""
    refused: dict[int, str] = {}
    for job_id, (family, moodys_job_id) in plan.at_moodys.items():
        try:
            cancel_at_moodys(client, family, moodys_job_id)
        except MoodysError as error:
            refused[job_id] = str(error)
    if refused and not plan.direct and len(refused) == len(plan.at_moodys):
        raise OperatorActionError(f"Moody's refused to cancel: {_refusals(refused)}")
    targets = [(i, JobStatus.CANCELLED) for i in plan.direct] + [
        (i, JobStatus.CANCEL_REQUESTED) for i in plan.at_moodys if i not in refused
    ]
    why = target.reason or "cancelled by an operator"
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    with transaction(engine) as session:
        batch, _ = load_batch(session, batch_id)
        for job_id, status in targets:
            job = session.get(Job, job_id)
            if can_transition(job.status, status):  # else it moved on meanwhile
                before[str(job_id)] = str(job.status)
                set_job_status(job, status, reason=why)
                after[str(job_id)] = str(job.status)
        batch_before = reopen(batch)
        message = ", ".join(f"job {i}: {status}" for i, status in after.items()) or "no change"
        if refused:
            message += f"; Moody's refused: {_refusals(refused)}"
        if plan.left:
            message += f"; left as they are: {_refusals(plan.left)}"
        return target.record(
            session,
            message,
            before={"batch_status": batch_before, "jobs": before},
            after={
                "jobs": after,
                "refused_by_moodys": {str(i): e for i, e in refused.items()},
                "left": {str(i): why for i, why in plan.left.items()},
            },
            batch_ids=(batch_id,),
        )


def cancel_job(
    engine: Engine, client: MoodysClient, job_id: int, *, actor: str, reason: str | None = None
) -> ActionResult:
    """Cancel one job (at Moody's if it is there); refuses a terminal or unsubmittable job."""
    require_actor(actor)
    note = optional_reason(reason)
    plan = _Plan()
    with transaction(engine) as session:
        job, batch, cycle = load_job(session, job_id)
        _classify(job, plan)
        if job.id in plan.left:
            raise OperatorActionError(f"Job {job_id} cannot be cancelled: {plan.left[job.id]}")
        target = Audit("cancel_job", "job", job_id, cycle.name, actor, note)
        batch_id = batch.id
    return _execute(engine, client, target, batch_id, plan)


def cancel_batch(
    engine: Engine, client: MoodysClient, batch_id: int, *, actor: str, reason: str | None = None
) -> ActionResult:
    """Cancel every unfinished job of a batch; nothing more is submitted from it.

    Jobs Moody's refuses to cancel are left as they are and listed in the result and the audit
    row; if nothing at all could be cancelled, the action is refused and nothing is written.
    """
    require_actor(actor)
    note = optional_reason(reason)
    plan = _Plan()
    with transaction(engine) as session:
        batch, cycle = load_batch(session, batch_id)
        jobs = session.scalars(
            select(Job)
            .where(Job.batch_id == batch_id, Job.status.not_in(list(JOB_TERMINAL)))
            .order_by(Job.id)
        ).all()
        for job in jobs:
            _classify(job, plan)
        if not plan.direct and not plan.at_moodys:
            detail = f" ({_refusals(plan.left)})" if plan.left else ""
            state = f"{batch.batch_type}, {batch.status}"
            raise OperatorActionError(f"Batch {batch_id} ({state}) has no job to cancel{detail}")
        target = Audit("cancel_batch", "batch", batch_id, cycle.name, actor, note)
    return _execute(engine, client, target, batch_id, plan)
