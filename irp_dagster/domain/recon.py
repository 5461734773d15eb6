"""Batch reconciliation rules (domain.md "Reconciliation"), as a pure decision over counts.

The counts come from one SQL aggregate in the persistence layer; this module only decides.
For each non-skipped job configuration the *effective* job is its latest non-skipped job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from irp_dagster.domain.statuses import JOB_FULFILLED, JOB_TERMINAL, BatchStatus, JobStatus


@dataclass(frozen=True)
class ReconInput:
    #: effective job status -> number of configurations whose effective job has that status
    effective_status_counts: Mapping[JobStatus, int]
    #: non-skipped configurations whose jobs are all skipped (they need an operator)
    awaiting_action_configuration_ids: tuple[int, ...] = ()
    total_configurations: int = 0
    skipped_configurations: int = 0
    job_status_counts: Mapping[str, int] = field(default_factory=dict)
    failed_job_ids: tuple[int, ...] = ()
    cancelled_job_ids: tuple[int, ...] = ()
    error_job_ids: tuple[int, ...] = ()


def decide_batch_status(recon: ReconInput) -> BatchStatus:
    """Apply the four recon rules in order."""
    counts = {status: n for status, n in recon.effective_status_counts.items() if n}
    live = sum(counts.values()) + len(recon.awaiting_action_configuration_ids)
    if live == 0:
        return BatchStatus.COMPLETED
    if any(status not in JOB_TERMINAL for status in counts):
        return BatchStatus.ACTIVE
    if recon.awaiting_action_configuration_ids:
        return BatchStatus.ACTIVE
    if all(status in JOB_FULFILLED for status in counts):
        return BatchStatus.COMPLETED
    for outcome, batch_status in (
        (JobStatus.ERROR, BatchStatus.ERROR),
        (JobStatus.FAILED, BatchStatus.FAILED),
    ):
        if outcome in counts:
            return batch_status
    return BatchStatus.CANCELLED


def recon_summary(recon: ReconInput, status: BatchStatus) -> dict:
    """The recon-log summary, with the prior system's counts plus awaiting-action configs."""
    fulfilled = sum(n for s, n in recon.effective_status_counts.items() if s in JOB_FULFILLED)
    live = recon.total_configurations - recon.skipped_configurations
    return {
        "result": str(status),
        "total_configs": recon.total_configurations,
        "non_skipped_configs": live,
        "fulfilled_configs": fulfilled,
        "unfulfilled_configs": live - fulfilled,
        "awaiting_action_configs": len(recon.awaiting_action_configuration_ids),
        "awaiting_action_config_ids": list(recon.awaiting_action_configuration_ids),
        "job_status_counts": dict(recon.job_status_counts),
        "effective_status_counts": {str(s): n for s, n in recon.effective_status_counts.items()},
        "failed_job_ids": list(recon.failed_job_ids),
        "cancelled_job_ids": list(recon.cancelled_job_ids),
        "error_job_ids": list(recon.error_job_ids),
    }
