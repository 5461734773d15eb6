"""What operators see of a batch: status, job counts, failures with Moody's messages, ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from irp_dagster.domain.statuses import JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, BatchReconLog, Job, JobConfiguration

FAILED_SHOWN = 20


def _md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(str(c) if c is not None else "" for c in row) + " |" for row in rows
    ]
    return "\n".join(lines)


def batch_metadata(engine: Engine, batch_id: int) -> dict[str, Any]:
    """Dagster-ready metadata values (plain types and markdown strings wrapped by callers)."""
    import dagster as dg

    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        counts = dict(
            session.execute(
                select(Job.status, func.count())
                .where(Job.batch_id == batch_id)
                .group_by(Job.status)
            ).all()
        )
        failed = session.execute(
            select(Job.id, JobConfiguration.key, Job.moodys_job_id, Job.status, Job.last_error)
            .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
            .where(
                Job.batch_id == batch_id,
                Job.skipped.is_(False),
                Job.status.in_([JobStatus.FAILED, JobStatus.ERROR, JobStatus.CANCELLED]),
            )
            .order_by(Job.id)
            .limit(FAILED_SHOWN)
        ).all()
        last_recon = session.scalar(
            select(BatchReconLog.summary)
            .where(BatchReconLog.batch_id == batch_id)
            .order_by(BatchReconLog.id.desc())
            .limit(1)
        )
        status = str(batch.status)
    total = sum(counts.values())
    done = sum(n for s, n in counts.items() if s in (JobStatus.FINISHED, JobStatus.FORCED_OK))
    metadata: dict[str, Any] = {
        "batch_status": status,
        "jobs": total,
        "percent_complete": round(100.0 * done / total, 1) if total else 100.0,
        "job_status_counts": dg.MetadataValue.md(
            _md_table(["status", "jobs"], [[str(s), n] for s, n in sorted(counts.items())])
        ),
    }
    if failed:
        metadata["failed_jobs"] = dg.MetadataValue.md(
            _md_table(
                ["job", "configuration", "Moody's id", "status", "message"],
                [[j, key, mid, str(st), (err or "")[:300]] for j, key, mid, st, err in failed],
            )
        )
    if last_recon is not None:
        metadata["recon_summary"] = dg.MetadataValue.json(last_recon)
    return metadata
