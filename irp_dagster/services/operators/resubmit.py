"""Resubmit a job (optionally with overridden configuration data) or all failed jobs of a batch.

A resubmission is a new job with ``parent_job_id`` and a fresh request id, INITIATED; the old job
is flagged skipped ("resubmitted as job N") and keeps its status. With an override (mandatory
reason) a new job configuration is written, flagged ``overridden`` with the reason and linked to
its parent; the old configuration is skipped with the reason and points at its replacement.
The batch is reopened (ACTIVE; a PAUSED batch stays paused). The new jobs are then submitted at
once through :func:`irp_dagster.services.batches.submit_batch` (throttled like any submission),
or left to the polling sensor's top-up.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from irp_dagster.domain.statuses import JOB_TERMINAL, JOB_UNSUCCESSFUL, BatchStatus
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.batch_report import effective_job_ids
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.operators._common import (
    ActionResult,
    Audit,
    OperatorActionError,
    cycle_of_batch,
    load_batch,
    load_job,
    optional_reason,
    reopen,
    require_actor,
    require_reason,
)
from irp_dagster.settings import Settings

log = logging.getLogger(__name__)


def parse_override(text: str | None) -> dict[str, Any] | None:
    """A JSON object of configuration data to merge (None for blank); refused if not an object."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise OperatorActionError(f"The override is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise OperatorActionError("The override must be a JSON object of configuration keys")
    return value


def _typed(key: str, old: Any, new: Any) -> Any:
    """A text value for a number or boolean key is read as JSON (``"22"`` -> 22), else refused."""
    if not isinstance(new, str) or isinstance(old, str) or old is None:
        return new
    try:
        value = json.loads(new)
    except json.JSONDecodeError:
        value = new
    numeric = isinstance(old, int | float) and not isinstance(old, bool)
    kind = (int, float) if numeric else type(old)
    if isinstance(value, kind) and isinstance(value, bool) is isinstance(old, bool):
        return value
    raise OperatorActionError(f"Override {key}={new!r} is not a {type(old).__name__} like {old!r}")


def _check_override(row: JobConfiguration, override: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(override) - set(row.data))
    if unknown:
        raise OperatorActionError(
            f"Unknown configuration key(s) {unknown} for job configuration {row.id}; "
            f"its keys are {sorted(row.data)}"
        )
    merged = {**row.data, **{k: _typed(k, row.data[k], v) for k, v in override.items()}}
    if merged == row.data:
        raise OperatorActionError("The override changes nothing in the configuration data")
    return merged


def _check_resubmittable(session: Session, job: Job) -> None:
    if job.status not in JOB_TERMINAL:
        raise OperatorActionError(
            f"Job {job.id} is {job.status}; only a job that has ended can be resubmitted "
            "(cancel it first)"
        )
    if job.job_configuration.skipped:
        raise OperatorActionError(
            f"Job configuration {job.job_configuration_id} of job {job.id} is skipped "
            f"({job.job_configuration.skipped_reason})"
        )
    newer = session.scalar(
        select(func.max(Job.id)).where(
            Job.job_configuration_id == job.job_configuration_id,
            Job.skipped.is_(False),
            Job.id > job.id,
        )
    )
    if newer is not None:
        raise OperatorActionError(
            f"Job {job.id} is not the current job of its configuration: job {newer} is"
        )


def _resubmit(
    session: Session, job: Job, batch: Batch, reason: str | None, override: dict | None
) -> Job:
    row = job.job_configuration
    if override is not None:
        merged = _check_override(row, override)
        replacement = JobConfiguration(
            batch_id=batch.id,
            key=row.key,
            data=merged,
            overridden=True,
            override_reason=reason,
            parent_job_configuration_id=row.id,
        )
        session.add(replacement)
        session.flush()
        row.skipped, row.skipped_reason = True, reason
        row.override_job_configuration_id = replacement.id
        row = replacement
    new_job = Job(
        batch_id=batch.id,
        job_configuration_id=row.id,
        parent_job_id=job.id,
        request_id=str(uuid.uuid4()),
    )
    session.add(new_job)
    session.flush()
    if not job.skipped:
        job.skipped = True
        job.skipped_reason = f"resubmitted as job {new_job.id}" + (f": {reason}" if reason else "")
    return new_job


def resubmit_job(
    engine: Engine,
    job_id: int,
    *,
    actor: str,
    reason: str | None = None,
    override: dict[str, Any] | None = None,
    client: MoodysClient | None = None,
    max_in_flight: int | None = None,
) -> ActionResult:
    """Resubmit one ended job; with ``override`` (merged over its data) a reason is mandatory.

    With a ``client`` the new job is submitted at once, else the sensor's top-up submits it.
    """
    require_actor(actor)
    override = override or None
    why = require_reason(reason, "override configuration data") if override else None
    why = why or optional_reason(reason)
    with transaction(engine) as session:
        job, batch, cycle = load_job(session, job_id)
        _check_resubmittable(session, job)
        old_data = dict(job.job_configuration.data)
        new_job = _resubmit(session, job, batch, why, override)
        batch_before = reopen(batch)
        message = f"Job {job_id} resubmitted as job {new_job.id}"
        result = Audit("resubmit_job", "job", job_id, cycle.name, actor, why).record(
            session,
            message + (" with override" if override else ""),
            before={
                "status": str(job.status),
                "moodys_job_id": job.moodys_job_id,
                "last_error": job.last_error,
                "job_configuration_id": job.job_configuration_id,
                "data": old_data if override else None,
                "batch_status": batch_before,
            },
            after={
                "new_job_id": new_job.id,
                "job_configuration_id": new_job.job_configuration_id,
                "overridden": override is not None,
                "override": override,
                "batch_status": str(batch.status),
            },
            batch_ids=(batch.id,),
            new_job_ids=(new_job.id,),
        )
    return submit_after(engine, client, result, max_in_flight)


def resubmit_failed(
    engine: Engine,
    batch_id: int,
    *,
    actor: str,
    reason: str | None = None,
    client: MoodysClient | None = None,
    max_in_flight: int | None = None,
) -> ActionResult:
    """Resubmit every FAILED, ERROR or CANCELLED effective job of a batch in one action."""
    require_actor(actor)
    why = optional_reason(reason)
    with transaction(engine) as session:
        batch, cycle = load_batch(session, batch_id)
        latest = effective_job_ids(batch_id)
        failed = session.scalars(
            select(Job)
            .join(latest, Job.id == latest.c.job_id)
            .where(Job.status.in_(list(JOB_UNSUCCESSFUL)))
            .order_by(Job.id)
        ).all()
        if not failed:
            raise OperatorActionError(
                f"Batch {batch_id} ({batch.batch_type}, {batch.status}) has no FAILED, ERROR or "
                "CANCELLED job to resubmit"
            )
        pairs = {str(job.id): _resubmit(session, job, batch, why, None).id for job in failed}
        batch_before = reopen(batch)
        result = Audit("resubmit_failed", "batch", batch_id, cycle.name, actor, why).record(
            session,
            f"Batch {batch_id}: {len(pairs)} job(s) resubmitted",
            before={"batch_status": batch_before, "jobs": {str(j.id): j.status for j in failed}},
            after={"resubmitted": pairs, "batch_status": str(batch.status)},
            batch_ids=(batch_id,),
            new_job_ids=tuple(pairs.values()),
        )
    return submit_after(engine, client, result, max_in_flight)


def submit_after(
    engine: Engine, client: MoodysClient | None, result: ActionResult, max_in_flight: int | None
) -> ActionResult:
    """Submit the action's batch at once when a client is given; the outcome joins the message."""
    if client is None:
        return result
    outcome = submit_now(engine, client, result.batch_ids[0], max_in_flight=max_in_flight)
    return replace(result, message=f"{result.message}; {outcome}")


def submit_now(
    engine: Engine, client: MoodysClient, batch_id: int, *, max_in_flight: int | None = None
) -> str:
    """Submit what the batch may send now; a failure leaves the jobs to the sensor's top-up."""
    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        batch_type, paused = batch.batch_type, batch.status is BatchStatus.PAUSED
        cycle_name = cycle_of_batch(session, batch).name
    if paused:
        return "batch is PAUSED: the job(s) wait for resume"
    limit = max_in_flight or Settings().max_in_flight_for(batch_type)
    try:
        report = submit_batch(engine, client, cycle_name, batch_type, max_in_flight=limit)
    except Exception as error:  # noqa: BLE001 - the action is committed; the sensor retries
        log.warning("Submitting batch %s after an operator action failed: %s", batch_id, error)
        return f"submission deferred to the sensor ({type(error).__name__}: {error})"
    parts = [f"submitted {len(report.submitted)}"]
    if report.errors:
        parts.append(f"{len(report.errors)} in ERROR: " + "; ".join(report.errors.values()))
    if report.waiting:
        parts.append(f"{report.waiting} waiting for the throttle")
    return ", ".join(parts)
