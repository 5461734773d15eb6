"""What operators see of a batch and of a cycle: status, job counts, failures with Moody's
messages, Moody's ids, and how far the cycle is. Every number is a SQL aggregate; only the
rows shown (failures, ids) are read, a bounded number of them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, String, and_, case, cast, exists, func, select
from sqlalchemy.orm import Session, aliased

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import (
    JOB_FULFILLED,
    JOB_UNSUCCESSFUL,
    BatchStatus,
    CycleStatus,
)
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import (
    Batch,
    BatchReconLog,
    Configuration,
    Cycle,
    Job,
    JobConfiguration,
)

FAILED_SHOWN = 20
JOBS_SHOWN = 50


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


@dataclass(frozen=True)
class BatchProgress:
    batch_id: int
    batch_type: BatchType
    status: BatchStatus
    configurations: int  # live (non-skipped) job configurations
    fulfilled: int  # of those, with a FINISHED or FORCED_OK live job


def cycle_progress(session: Session, cycle_id: int) -> list[BatchProgress]:
    """Per batch of the cycle: live configurations and fulfilled ones (one aggregate query)."""
    done = aliased(Job)
    fulfilled = exists().where(
        done.job_configuration_id == JobConfiguration.id,
        done.skipped.is_(False),
        done.status.in_(list(JOB_FULFILLED)),
    )
    rows = session.execute(
        select(
            Batch.id,
            Batch.batch_type,
            Batch.status,
            func.count(JobConfiguration.id),
            func.coalesce(func.sum(case((fulfilled, 1), else_=0)), 0),
        )
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .outerjoin(
            JobConfiguration,
            and_(JobConfiguration.batch_id == Batch.id, JobConfiguration.skipped.is_(False)),
        )
        .where(Configuration.cycle_id == cycle_id)
        .group_by(Batch.id, Batch.batch_type, Batch.status)
        .order_by(Batch.id)
    )
    return [
        BatchProgress(i, BatchType(t), BatchStatus(s), int(n), int(f)) for i, t, s, n, f in rows
    ]


def _cycle_metadata(
    progress: list[BatchProgress], implemented: Collection[BatchType]
) -> dict[str, Any]:
    latest = {p.batch_type: p for p in progress}  # ordered by id: the newest batch per type wins
    completed = sum(
        1 for t in implemented if t in latest and latest[t].status is BatchStatus.COMPLETED
    )
    configurations = sum(p.configurations for p in latest.values())
    fulfilled = sum(p.fulfilled for p in latest.values())
    return {
        "cycle_percent_complete": _percent(fulfilled, configurations),
        "cycle_fulfilled_configurations": f"{fulfilled} / {configurations}",
        "cycle_batches_completed": f"{completed} / {len(implemented)}",
        "cycle_batches_percent_complete": _percent(completed, len(implemented)),
    }


def _compact(result: dict | None) -> str:
    if not result:
        return ""
    return json.dumps(result, separators=(",", ":"), default=str)[:200]


def batch_metadata(
    engine: Engine, batch_id: int, *, implemented: Collection[BatchType] | None = None
) -> dict[str, Any]:
    """Dagster metadata of a batch (used by ``<type>_batch`` and ``<type>_results``).

    Job status counts, failed jobs with their Moody's messages, the jobs' Moody's ids and
    outcomes (the first ``JOBS_SHOWN``), the batch's and the cycle's % complete: fulfilled
    configurations over all configurations of the cycle's batches, and batches COMPLETED over
    the ``implemented`` batch types (all twelve when not given).
    """
    import dagster as dg

    implemented = tuple(implemented) if implemented is not None else tuple(BatchType)
    with transaction(engine) as session:
        batch = session.get(Batch, batch_id)
        cycle_id, cycle_name = session.execute(
            select(Cycle.id, Cycle.name)
            .join(Configuration, Configuration.cycle_id == Cycle.id)
            .where(Configuration.id == batch.configuration_id)
        ).one()
        counts = dict(
            session.execute(
                select(Job.status, func.count())
                .where(Job.batch_id == batch_id)
                .group_by(Job.status)
            ).all()
        )
        listed = select(
            Job.id, JobConfiguration.key, Job.moodys_job_id, Job.status, Job.last_error, Job.result
        ).join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
        failed = session.execute(
            listed.where(
                Job.batch_id == batch_id,
                Job.skipped.is_(False),
                Job.status.in_(list(JOB_UNSUCCESSFUL)),
            )
            .order_by(Job.id)
            .limit(FAILED_SHOWN)
        ).all()
        jobs = session.execute(
            listed.where(Job.batch_id == batch_id, Job.skipped.is_(False))
            .order_by(Job.id)
            .limit(JOBS_SHOWN)
        ).all()
        last_recon = session.scalar(
            select(BatchReconLog.summary)
            .where(BatchReconLog.batch_id == batch_id)
            .order_by(BatchReconLog.id.desc())
            .limit(1)
        )
        progress = cycle_progress(session, cycle_id)
        status = str(batch.status)
    total = sum(counts.values())
    own = next(p for p in progress if p.batch_id == batch_id)
    n_failed = sum(n for s, n in counts.items() if s in JOB_UNSUCCESSFUL)
    metadata: dict[str, Any] = {
        "cycle": cycle_name,
        "batch_status": status,
        "jobs": total,
        "failed_jobs_count": n_failed,
        "percent_complete": _percent(own.fulfilled, own.configurations),
        **_cycle_metadata(progress, implemented),
        "job_status_counts": dg.MetadataValue.md(
            md_table(["status", "jobs"], [[str(s), n] for s, n in sorted(counts.items())])
        ),
    }
    if failed:
        metadata["failed_jobs"] = dg.MetadataValue.md(
            md_table(
                ["job", "configuration", "Moody's id", "status", "Moody's message"],
                [[j, key, mid, str(st), (err or "")[:300]] for j, key, mid, st, err, _ in failed],
            )
        )
    if jobs:
        shown = len(jobs)
        title = f"first {shown} of {total} jobs\n\n" if total > shown else ""
        metadata["moodys_ids"] = dg.MetadataValue.md(
            title
            + md_table(
                ["job", "configuration", "Moody's id", "status", "outcome"],
                [[j, key, mid, str(st), _compact(res)] for j, key, mid, st, _, res in jobs],
            )
        )
    if last_recon is not None:
        metadata["recon_summary"] = dg.MetadataValue.json(last_recon)
    return metadata


# -- cycle summary ------------------------------------------------------------------------------


@dataclass
class CycleSummary:
    cycle: str
    batches: Counter[str] = field(default_factory=Counter)  # batch status -> batches
    jobs: Counter[str] = field(default_factory=Counter)  # job status -> jobs (skipped apart)
    failures: list[tuple[int, str, str, str | None, str]] = field(default_factory=list)
    # (job id, batch type, status, Moody's id, message)

    def markdown(self) -> str:
        failed = sum(n for s, n in self.jobs.items() if s in JOB_UNSUCCESSFUL)
        parts = [
            f"### Cycle {self.cycle}",
            md_table(["batch status", "batches"], sorted(self.batches.items())),
            md_table(["job status", "jobs"], sorted(self.jobs.items())),
        ]
        if self.failures:
            parts.append(
                f"{failed} unsuccessful job(s); the first {len(self.failures)}:\n\n"
                + md_table(
                    ["job", "batch type", "status", "Moody's id", "message"],
                    [[j, t, s, m, (e or "")[:300]] for j, t, s, m, e in self.failures],
                )
            )
        return "\n\n".join(parts)


def cycle_summaries(engine: Engine) -> list[CycleSummary]:
    """Per ACTIVE cycle: batches by status, jobs by status, the first unsuccessful jobs."""
    with transaction(engine) as session:
        in_cycle = (
            select(Cycle.name)
            .join(Configuration, Configuration.cycle_id == Cycle.id)
            .join(Batch, Batch.configuration_id == Configuration.id)
            .where(Cycle.status == CycleStatus.ACTIVE)
        )
        summaries = {
            name: CycleSummary(name)
            for name in session.scalars(
                select(Cycle.name).where(Cycle.status == CycleStatus.ACTIVE).order_by(Cycle.name)
            )
        }
        for name, status, n in session.execute(
            in_cycle.add_columns(Batch.status, func.count()).group_by(Cycle.name, Batch.status)
        ):
            summaries[name].batches[str(status)] = n
        shown = case((Job.skipped.is_(True), "SKIPPED"), else_=cast(Job.status, String))
        for name, status, n in session.execute(
            in_cycle.join(Job, Job.batch_id == Batch.id)
            .add_columns(shown, func.count())
            .group_by(Cycle.name, shown)
        ):
            summaries[name].jobs[str(status)] = n
        ranked = (
            in_cycle.join(Job, Job.batch_id == Batch.id)
            .add_columns(
                Job.id,
                Batch.batch_type,
                Job.status,
                Job.moodys_job_id,
                Job.last_error,
                func.row_number().over(partition_by=Cycle.name, order_by=Job.id).label("rn"),
            )
            .where(Job.skipped.is_(False), Job.status.in_(list(JOB_UNSUCCESSFUL)))
            .subquery()
        )
        for name, job_id, batch_type, status, moodys_id, error in session.execute(
            select(
                ranked.c.name,
                ranked.c.id,
                ranked.c.batch_type,
                ranked.c.status,
                ranked.c.moodys_job_id,
                ranked.c.last_error,
            )
            .where(ranked.c.rn <= FAILED_SHOWN)
            .order_by(ranked.c.name, ranked.c.id)
        ):
            summaries[name].failures.append(
                (job_id, str(batch_type), str(status), moodys_id, error or "")
            )
    return list(summaries.values())
