"""The four recon rules of domain.md, decided from counts."""

from __future__ import annotations

import pytest

from irp_dagster.domain.recon import ReconInput, decide_batch_status, recon_summary
from irp_dagster.domain.statuses import BatchStatus
from irp_dagster.domain.statuses import JobStatus as J


@pytest.mark.parametrize(
    ("counts", "awaiting", "expected"),
    [
        ({}, (), BatchStatus.COMPLETED),
        ({J.FINISHED: 3, J.RUNNING: 1}, (), BatchStatus.ACTIVE),
        ({J.INITIATED: 1, J.FAILED: 1}, (), BatchStatus.ACTIVE),
        ({J.FINISHED: 3}, (9,), BatchStatus.ACTIVE),
        ({J.FINISHED: 2, J.FORCED_OK: 1}, (), BatchStatus.COMPLETED),
        ({J.FINISHED: 2, J.FAILED: 1, J.ERROR: 1}, (), BatchStatus.ERROR),
        ({J.FINISHED: 2, J.FAILED: 1, J.CANCELLED: 1}, (), BatchStatus.FAILED),
        ({J.FINISHED: 2, J.CANCELLED: 1}, (), BatchStatus.CANCELLED),
        ({J.CANCELLED: 2}, (), BatchStatus.CANCELLED),
    ],
)
def test_decide(counts, awaiting, expected) -> None:
    recon = ReconInput(effective_status_counts=counts, awaiting_action_configuration_ids=awaiting)
    assert decide_batch_status(recon) is expected


def test_summary_counts_fulfilled_and_awaiting() -> None:
    recon = ReconInput(
        effective_status_counts={J.FINISHED: 2, J.FAILED: 1},
        awaiting_action_configuration_ids=(4,),
        total_configurations=5,
        skipped_configurations=1,
        failed_job_ids=(12,),
    )
    summary = recon_summary(recon, decide_batch_status(recon))
    assert summary["result"] == "ACTIVE"
    assert summary["fulfilled_configs"] == 2
    assert summary["unfulfilled_configs"] == 2
    assert summary["awaiting_action_config_ids"] == [4]
    assert summary["failed_job_ids"] == [12]
