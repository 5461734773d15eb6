"""Export a cycle's job outcomes: Excel (one sheet per batch type, plus a summary and the audit
trail) or, for a ``.csv`` path, one CSV of every job with its batch type."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.batch_report import cycle_batches, operator_actions

JOB_COLUMNS = [
    "batch_type",
    "batch_id",
    "batch_status",
    "job_id",
    "parent_job_id",
    "configuration_id",
    "configuration_key",
    "status",
    "status_reason",
    "skipped",
    "skipped_reason",
    "overridden",
    "override_reason",
    "moodys_family",
    "moodys_job_id",
    "moodys_status",
    "last_error",
    "submitted_at_utc",
    "completed_at_utc",
    "result",
]


def _naive_utc(value: datetime | None) -> datetime | None:
    """Excel has no time zones: timestamps are written as naive UTC."""
    return value.replace(tzinfo=None) if value is not None else None


def _job_row(batch: Batch, job: Job, row: JobConfiguration) -> dict[str, Any]:
    return {
        "batch_type": str(batch.batch_type),
        "batch_id": batch.id,
        "batch_status": str(batch.status),
        "job_id": job.id,
        "parent_job_id": job.parent_job_id,
        "configuration_id": row.id,
        "configuration_key": row.key,
        "status": str(job.status),
        "status_reason": job.status_reason,
        "skipped": job.skipped,
        "skipped_reason": job.skipped_reason,
        "overridden": row.overridden,
        "override_reason": row.override_reason,
        "moodys_family": job.moodys_family,
        "moodys_job_id": job.moodys_job_id,
        "moodys_status": job.moodys_status,
        "last_error": job.last_error,
        "submitted_at_utc": _naive_utc(job.submitted_at),
        "completed_at_utc": _naive_utc(job.completed_at),
        "result": json.dumps(job.result, sort_keys=True) if job.result is not None else None,
    }


def job_outcomes(engine: Engine, cycle_name: str) -> pd.DataFrame:
    """Every job of the cycle, one row each, in cycle order then job id."""
    with transaction(engine) as session:
        rows = []
        for batch in cycle_batches(session, cycle_name):
            pairs = session.execute(
                select(Job, JobConfiguration)
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .where(Job.batch_id == batch.id)
                .order_by(Job.id)
            ).all()
            rows += [_job_row(batch, job, row) for job, row in pairs]
    return pd.DataFrame(rows, columns=JOB_COLUMNS)


def _summary(jobs: pd.DataFrame) -> pd.DataFrame:
    if jobs.empty:
        return pd.DataFrame(columns=["batch_type", "batch_id", "batch_status", "jobs"])
    summary = jobs.groupby(["batch_type", "batch_id", "batch_status"], sort=False).size()
    return summary.rename("jobs").reset_index()


def _audit_frame(engine: Engine, cycle_name: str) -> pd.DataFrame:
    rows = [
        {
            **row,
            "at": _naive_utc(row["at"]),
            "before": json.dumps(row["before"], sort_keys=True),
            "after": json.dumps(row["after"], sort_keys=True),
        }
        for row in operator_actions(engine, cycle_name)
    ]
    columns = ["id", "at", "actor", "action", "target", "reason", "before", "after"]
    return pd.DataFrame(rows, columns=columns)


def export_cycle(engine: Engine, cycle_name: str, path: Path) -> Path:
    """Write the cycle's job outcomes to ``path`` (.csv: one CSV; else an .xlsx workbook)."""
    path = Path(path)
    jobs = job_outcomes(engine, cycle_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        jobs.to_csv(path, index=False)
        return path
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        _summary(jobs).to_excel(writer, sheet_name="summary", index=False)
        for batch_type, frame in jobs.groupby("batch_type", sort=False):
            frame.to_excel(writer, sheet_name=str(batch_type)[:31], index=False)
        _audit_frame(engine, cycle_name).to_excel(
            writer, sheet_name="operator_actions", index=False
        )
    return path
