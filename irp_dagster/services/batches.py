"""Create a batch's jobs from the configuration and submit them, idempotently and throttled.

A job gets its request id when it is created, goes SUBMITTING (committed) before its POST, and
sends the request id as ``x-rms-requestid`` on every retry. Re-running :func:`submit_batch`
re-sends SUBMITTING jobs with their original key (Moody's replays the original answer) and never
touches jobs that are already submitted, so no job is ever submitted twice. At most
``max_in_flight`` jobs of a batch are at Moody's at once; the rest wait in INITIATED and are
submitted by later calls (the polling sensor tops batches up as slots free).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from irp_dagster.domain.batch_types import BATCH_TYPE_SPECS, BatchType, JobFamily
from irp_dagster.domain.statuses import (
    BATCH_TERMINAL,
    JOB_FULFILLED,
    JOB_IN_FLIGHT,
    JOB_TERMINAL,
    BatchStatus,
    ConfigurationStatus,
    CycleStatus,
    JobStatus,
)
from irp_dagster.domain.transformers import transform
from irp_dagster.moodys.client import MoodysClient, RetryEvent
from irp_dagster.moodys.errors import MoodysApiError
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration, JobRetry
from irp_dagster.persistence.repository import (
    NotFoundError,
    batch_for_cycle,
    current_configuration,
    get_cycle,
    latest_batch,
    set_batch_status,
    set_configuration_status,
    set_job_status,
)
from irp_dagster.services.handlers import (
    BatchContext,
    SubmitOutcome,
    SubmitRejectedError,
    handler_for,
)
from irp_dagster.services.recon import collect_results

SUBMITTABLE = (ConfigurationStatus.VALID, ConfigurationStatus.ACTIVE)
DEFAULT_MAX_IN_FLIGHT = 500


class BatchNotReadyError(RuntimeError):
    """The cycle has no usable configuration for this batch."""


@dataclass
class SubmitReport:
    batch_id: int
    batch_type: BatchType
    batch_status: BatchStatus
    created: bool
    submitted: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    waiting: int = 0


def find_batch_id(engine: Engine, cycle_name: str, batch_type: BatchType) -> int | None:
    """The id of the cycle's current batch of this type, if it exists."""
    with transaction(engine) as session:
        batch = batch_for_cycle(session, cycle_name, batch_type)
        return batch.id if batch else None


def ensure_batch(engine: Engine, cycle_name: str, batch_type: BatchType) -> tuple[int, bool]:
    """The batch of this type for the cycle's configuration, creating it (and its jobs) once."""
    with transaction(engine) as session:
        cycle = get_cycle(session, cycle_name)
        if cycle.status is not CycleStatus.ACTIVE:
            raise BatchNotReadyError(
                f"Cycle {cycle_name!r} is {cycle.status}; it takes no new work"
            )
        configuration = current_configuration(session, cycle.id)
        if configuration is None or configuration.status not in SUBMITTABLE:
            state = configuration.status if configuration else "missing"
            raise BatchNotReadyError(
                f"Cycle {cycle_name!r} has no VALID configuration (current: {state}); "
                "load a valid workbook first"
            )
        existing = latest_batch(session, configuration.id, batch_type)
        if existing is not None:
            return existing.id, False
        specs = transform(batch_type, configuration.data or {})
        batch = Batch(configuration_id=configuration.id, batch_type=batch_type)
        session.add(batch)
        session.flush()
        configurations = [
            JobConfiguration(batch_id=batch.id, key=spec.key, data=spec.data) for spec in specs
        ]
        session.add_all(configurations)
        session.flush()
        session.add_all(
            Job(batch_id=batch.id, job_configuration_id=jc.id, request_id=str(uuid.uuid4()))
            for jc in configurations
        )
        return batch.id, True


def configuration_context(engine: Engine, cycle_name: str) -> BatchContext:
    """Recorded outcomes of every fulfilled job of the cycle's current configuration."""
    with transaction(engine) as session:
        cycle = get_cycle(session, cycle_name)
        configuration = current_configuration(session, cycle.id)
        rows = (
            session.execute(
                select(Batch.batch_type, JobConfiguration.key, Job.result)
                .join(Job, Job.batch_id == Batch.id)
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .where(
                    Batch.configuration_id == configuration.id,
                    Job.status.in_(list(JOB_FULFILLED)),
                    Job.skipped.is_(False),
                    Job.result.is_not(None),
                )
                .order_by(Job.id)
            ).all()
            if configuration
            else []
        )
        job_rows = (
            session.execute(
                select(
                    Batch.batch_type,
                    JobConfiguration.key,
                    JobConfiguration.skipped,
                    Job.skipped,
                    Job.status,
                )
                .join(Job, Job.batch_id == Batch.id)
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .where(Batch.configuration_id == configuration.id)
                .order_by(Job.id)
            ).all()
            if configuration
            else []
        )
    results: dict[BatchType, dict[str, dict]] = defaultdict(dict)
    for batch_type, key, result in rows:
        results[BatchType(batch_type)][key] = result
    return BatchContext(
        cycle=cycle_name,
        configuration=(configuration.data or {}) if configuration else {},
        results=dict(results),
        ended=_ended_keys(job_rows),
    )


def _ended_keys(job_rows) -> dict[BatchType, frozenset[str]]:
    """Per batch type, the job configurations that are over: skipped, or whose latest live job
    is terminal (rows in job id order)."""
    latest: dict[tuple[BatchType, str], bool] = {}
    for batch_type, key, config_skipped, job_skipped, status in job_rows:
        if config_skipped:
            latest[(BatchType(batch_type), key)] = True
        elif not job_skipped:
            latest[(BatchType(batch_type), key)] = status in JOB_TERMINAL
    ended: dict[BatchType, set[str]] = defaultdict(set)
    for (batch_type, key), over in latest.items():
        if over:
            ended[batch_type].add(key)
    return {t: frozenset(keys) for t, keys in ended.items()}


def record_retry(engine: Engine, job_id: int | None):
    def record(event: RetryEvent) -> None:
        with transaction(engine) as session:
            session.add(
                JobRetry(
                    job_id=job_id,
                    method=event.method,
                    route=event.route,
                    attempt=event.attempt,
                    status_code=event.status_code,
                    error=event.error,
                    wait_seconds=event.wait_seconds,
                )
            )

    return record


def _stored_family(batch_type: BatchType, outcome: SubmitOutcome) -> str:
    if outcome.family is JobFamily.PLATFORM:
        return BATCH_TYPE_SPECS[batch_type].platform_api or "riskdata"
    return str(outcome.family)


def submit_batch(
    engine: Engine,
    client: MoodysClient,
    cycle_name: str,
    batch_type: BatchType,
    *,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> SubmitReport:
    """Create the batch if needed and submit the jobs that may go to Moody's now."""
    handler = handler_for(batch_type)
    existing_id = find_batch_id(engine, cycle_name, batch_type)
    if existing_id is not None:
        collect_results(engine, client, existing_id)  # e.g. the RDM seed's database id
    # Look-ups first: if Moody's is unreachable nothing has been written yet.
    prepared = handler.prepare(client, configuration_context(engine, cycle_name))
    batch_id, created = ensure_batch(engine, cycle_name, batch_type)

    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"Batch {batch_id} vanished")
        report = SubmitReport(batch_id, batch_type, batch.status, created)
        if batch.status is BatchStatus.PAUSED or (batch.status in BATCH_TERMINAL and not created):
            return report
        in_flight = session.scalar(
            select(func.count()).where(
                Job.batch_id == batch_id, Job.status.in_(list(JOB_IN_FLIGHT))
            )
        )
        pending = list(
            session.execute(
                select(Job.id, Job.status, Job.request_id, JobConfiguration.data)
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .where(
                    Job.batch_id == batch_id,
                    Job.skipped.is_(False),
                    JobConfiguration.skipped.is_(False),
                    Job.status.in_([JobStatus.INITIATED, JobStatus.SUBMITTING]),
                )
                .order_by(Job.id)
            )
        )
        set_batch_status(batch, BatchStatus.ACTIVE)
        set_configuration_status(batch.configuration, ConfigurationStatus.ACTIVE)
        report.batch_status = batch.status

    slots = max(0, max_in_flight - in_flight)
    for job_id, status, request_id, data in pending:
        # SUBMITTING jobs were already sent once: always re-send them (same key).
        if status is JobStatus.INITIATED and (slots <= 0 or not handler.ready(data, prepared)):
            report.waiting += 1
            continue
        _submit_one(engine, client, handler, batch_type, job_id, request_id, data, prepared, report)
        slots -= 1
    return report


def _submit_one(engine, client, handler, batch_type, job_id, request_id, data, prepared, report):
    with transaction(engine) as session:
        set_job_status(session.get(Job, job_id), JobStatus.SUBMITTING)
    try:
        outcome = handler.submit(client, data, request_id, prepared, record_retry(engine, job_id))
    except (MoodysApiError, SubmitRejectedError) as error:
        if isinstance(error, MoodysApiError) and not error.is_definitive:
            raise  # outcome unknown: stays SUBMITTING, a re-run re-sends the same key
        with transaction(engine) as session:
            job = session.get(Job, job_id)
            job.last_error = str(error)
            reason = getattr(error, "code", None) or type(error).__name__
            set_job_status(job, JobStatus.ERROR, reason=reason)
        report.errors[job_id] = str(error)
        return
    with transaction(engine) as session:
        job = session.get(Job, job_id)
        if job.status is not JobStatus.SUBMITTING:
            # A concurrent submitter (e.g. the recovery sweep re-sending the same request id)
            # already recorded this job and polling moved it on: nothing left to record.
            return
        job.submission_request = outcome.request
        job.submission_response = outcome.response
        if outcome.skip_reason:
            _skip(session, job, outcome.skip_reason)
            report.skipped[job_id] = outcome.skip_reason
            return
        job.moodys_family = _stored_family(batch_type, outcome)
        job.moodys_job_id = outcome.moodys_job_id
        job.moodys_url = outcome.moodys_url
        if outcome.family is JobFamily.SYNC:
            job.result = outcome.result
            set_job_status(job, JobStatus.FINISHED)
        else:
            set_job_status(job, JobStatus.SUBMITTED)
    report.submitted.append(job_id)


def _skip(session, job: Job, reason: str) -> None:
    """A job that cannot run at all: skip it and its configuration, with the reason."""
    set_job_status(job, JobStatus.ERROR, reason="SKIPPED")
    job.skipped, job.skipped_reason = True, reason
    configuration = session.get(JobConfiguration, job.job_configuration_id)
    configuration.skipped, configuration.skipped_reason = True, reason
