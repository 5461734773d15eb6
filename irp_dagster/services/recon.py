"""Reconcile a batch: record each finished job's outcome, then decide the batch status.

Outcomes (the Moody's ids and names downstream batches need) are collected from Moody's outside
any transaction; the decision is one SQL aggregate plus the pure rules of
:mod:`irp_dagster.domain.recon`, written with a recon-log row in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from irp_dagster.domain.recon import decide_batch_status, recon_summary
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, BatchReconLog, Job, JobConfiguration, utcnow
from irp_dagster.persistence.repository import recon_input, set_batch_status
from irp_dagster.services.handlers import MoodysJobRef, handler_for


class ResultCollectionError(RuntimeError):
    """Finished jobs whose outcome could not be read from Moody's (the others were recorded)."""


@dataclass(frozen=True)
class ReconOutcome:
    batch_id: int
    status: BatchStatus
    summary: dict


def collect_results(engine: Engine, client: MoodysClient, batch_id: int) -> int:
    """Fill ``job.result`` for FINISHED jobs that have none yet; returns how many."""
    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        handler = handler_for(batch.batch_type)
        todo = list(
            session.execute(
                select(
                    Job.id,
                    JobConfiguration.data,
                    Job.moodys_family,
                    Job.moodys_job_id,
                    Job.moodys_url,
                    Job.submission_request,
                )
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .where(
                    Job.batch_id == batch_id,
                    Job.status == JobStatus.FINISHED,
                    Job.result.is_(None),
                )
            )
        )
    results: dict[int, dict] = {}
    failures: dict[int, str] = {}
    for job_id, data, family, moodys_id, url, request in todo:
        try:
            results[job_id] = handler.collect_result(
                client, data, MoodysJobRef(family, moodys_id, url, request or {})
            )
        except Exception as error:  # noqa: BLE001 - recorded per job, raised together below
            failures[job_id] = f"Moody's job {moodys_id}: {type(error).__name__}: {error}"
    with transaction(engine) as session:
        for job_id, result in results.items():
            session.get(Job, job_id).result = result
        for job_id, message in failures.items():
            session.get(Job, job_id).last_error = f"Outcome not collected: {message}"
    if failures:
        raise ResultCollectionError(
            f"Batch {batch_id}: {len(failures)} finished job(s) have no recorded outcome yet "
            "(the recovery sweep retries): "
            + "; ".join(f"job {job_id} ({message})" for job_id, message in failures.items())
        )
    return len(results)


def reconcile_batch(engine: Engine, batch_id: int) -> ReconOutcome:
    """Decide and record the batch status (a PAUSED batch stays paused until it ends)."""
    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        recon = recon_input(session, batch_id)
        decided = decide_batch_status(recon)
        if not (batch.status is BatchStatus.PAUSED and decided is BatchStatus.ACTIVE):
            set_batch_status(batch, decided)
        summary = recon_summary(recon, decided)
        batch.last_recon_at = utcnow()
        session.add(BatchReconLog(batch_id=batch_id, result=decided, summary=summary))
        return ReconOutcome(batch_id, batch.status, summary)
