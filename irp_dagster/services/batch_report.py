"""What an operator needs to decide: per batch, jobs by status, configurations awaiting action,
failed jobs with Moody's messages and a recommended next action, and resubmission lineage.

Rendered as markdown (``irp status``, the operator jobs' materialization metadata); the audit
trail of operator actions is listed by :func:`operator_actions`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JOB_UNSUCCESSFUL, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import (
    Batch,
    Configuration,
    Job,
    JobConfiguration,
    OperatorAction,
)
from irp_dagster.persistence.repository import NotFoundError, get_cycle, recon_input
from irp_dagster.services.reports import md_table

MESSAGE_WIDTH = 300
#: After this many attempts of one configuration, plain resubmission is not recommended.
MAX_PLAIN_ATTEMPTS = 2
AWAITING_NEXT = "resubmit the last job, or skip the configuration"


def recommend(status: JobStatus, status_reason: str | None, attempts: int) -> str:
    """The next operator action for an effective job that did not succeed."""
    if attempts > MAX_PLAIN_ATTEMPTS:
        return (
            f"tried {attempts} times: resubmit with an override (reason), skip the "
            "configuration, or force-OK after a manual fix at Moody's"
        )
    if status is JobStatus.ERROR:
        return "Moody's refused the request: fix the data and resubmit with an override, or skip"
    if status is JobStatus.CANCELLED:
        return "resubmit, or force-OK if the cancellation was intended"
    if status_reason == "LOST":
        return "Moody's lost the job: resubmit"
    if status_reason == "TIMEOUT":
        return "timed out: check it at Moody's, then resubmit or force-OK"
    return "resubmit; if it fails again, resubmit with an override or skip"


def cycle_batches(session: Session, cycle_name: str, batch_type: str | None = None) -> list[Batch]:
    """Every batch of the cycle (all configuration versions), in cycle order."""
    cycle = get_cycle(session, cycle_name)
    query = (
        select(Batch)
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .where(Configuration.cycle_id == cycle.id)
    )
    if batch_type:
        try:
            query = query.where(Batch.batch_type == BatchType(batch_type.strip().lower()))
        except ValueError:
            raise NotFoundError(f"Unknown batch type {batch_type!r}") from None
    order = {t: n for n, t in enumerate(BatchType)}
    return sorted(session.scalars(query), key=lambda b: (order[b.batch_type], b.id))


def effective_job_ids(batch_id: int) -> Subquery:
    """Subquery (column ``job_id``): each live configuration's latest non-skipped job."""
    return (
        select(func.max(Job.id).label("job_id"))
        .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
        .where(
            Job.batch_id == batch_id,
            Job.skipped.is_(False),
            JobConfiguration.skipped.is_(False),
        )
        .group_by(Job.job_configuration_id)
        .subquery()
    )


def _chains(session: Session, batch_id: int) -> dict[int, list[Job]]:
    """Resubmission chains of the batch: root job id -> the jobs from root to newest."""
    jobs = session.scalars(select(Job).where(Job.batch_id == batch_id).order_by(Job.id)).all()
    children: dict[int, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.parent_job_id is not None:
            children[job.parent_job_id].append(job)
    chains: dict[int, list[Job]] = {}
    for job in jobs:
        if job.parent_job_id is None and job.id in children:
            chain, node = [job], job
            while children.get(node.id):
                node = children[node.id][-1]
                chain.append(node)
            chains[job.id] = chain
    return chains


def _failed_rows(session: Session, batch_id: int, chains: dict[int, list[Job]]) -> list[list]:
    attempts = {chain[-1].id: len(chain) for chain in chains.values()}
    latest = effective_job_ids(batch_id)
    failed = session.execute(
        select(Job, JobConfiguration.key)
        .join(latest, Job.id == latest.c.job_id)
        .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
        .where(Job.status.in_(list(JOB_UNSUCCESSFUL)))
        .order_by(Job.id)
    ).all()
    return [
        [
            job.id,
            key,
            job.moodys_job_id,
            str(job.status),
            job.status_reason,
            _cell(job.last_error),
            recommend(job.status, job.status_reason, attempts.get(job.id, 1)),
        ]
        for job, key in failed
    ]


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "/").replace("\n", " ")[:MESSAGE_WIDTH]


def _lineage_rows(chains: dict[int, list[Job]]) -> list[list[Any]]:
    rows = []
    for chain in chains.values():
        path = " → ".join(f"{j.id} ({j.status})" for j in chain)
        overrides = [
            f"job {j.id}: {_cell(j.job_configuration.override_reason)}"
            for j in chain
            if j.job_configuration.overridden
        ]
        rows.append([chain[0].job_configuration.key, path, "; ".join(overrides)])
    return rows


def batch_report(engine: Engine, batch_id: int) -> str:
    """The markdown report of one batch."""
    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"Batch {batch_id} does not exist")
        return _render(session, batch)


def _render(session: Session, batch: Batch) -> str:
    lines = [f"## {batch.batch_type} (batch {batch.id}): {batch.status}", ""]
    recon = recon_input(session, batch.id)
    counts = sorted([status, n] for status, n in recon.job_status_counts.items())
    lines += [md_table(["status", "jobs"], counts), ""]
    awaiting_ids = recon.awaiting_action_configuration_ids
    if awaiting_ids:
        awaiting = session.execute(
            select(JobConfiguration.id, JobConfiguration.key, func.max(Job.id))
            .outerjoin(Job, Job.job_configuration_id == JobConfiguration.id)
            .where(JobConfiguration.id.in_(awaiting_ids))
            .group_by(JobConfiguration.id, JobConfiguration.key)
            .order_by(JobConfiguration.id)
        ).all()
        lines += ["### Awaiting action (every job skipped)", ""]
        rows = [[i, key, last, AWAITING_NEXT] for i, key, last in awaiting]
        lines += [md_table(["configuration", "key", "last job", "next"], rows), ""]
    chains = _chains(session, batch.id)
    failed = _failed_rows(session, batch.id, chains)
    if failed:
        lines += ["### Failed jobs", ""]
        header = ["job", "configuration", "Moody's id", "status", "reason", "message", "next"]
        lines += [md_table(header, failed), ""]
    if chains:
        lines += ["### Resubmissions", ""]
        lines += [md_table(["configuration", "jobs", "overrides"], _lineage_rows(chains)), ""]
    return "\n".join(lines)


def cycle_report(engine: Engine, cycle_name: str, batch_type: str | None = None) -> str:
    """The markdown report of every batch of a cycle (or of one batch type)."""
    with transaction(engine) as session:
        cycle = get_cycle(session, cycle_name)
        batches = cycle_batches(session, cycle_name, batch_type)
        head = [f"# Cycle {cycle.name} ({cycle.status})", ""]
        if not batches:
            return "\n".join([*head, "No batches yet."])
        return "\n".join(head + [_render(session, batch) for batch in batches])


def operator_actions(engine: Engine, cycle_name: str) -> list[dict[str, Any]]:
    """The cycle's audit trail, oldest first (refuses an unknown cycle)."""
    with transaction(engine) as session:
        get_cycle(session, cycle_name)
        rows = session.scalars(
            select(OperatorAction)
            .where(OperatorAction.cycle_name == cycle_name)
            .order_by(OperatorAction.id)
        ).all()
        return [
            {
                "id": row.id,
                "at": row.created_at,
                "actor": row.actor,
                "action": row.action,
                "target": f"{row.target_type} {row.target_id}",
                "reason": row.reason,
                "before": row.before,
                "after": row.after,
            }
            for row in rows
        ]
