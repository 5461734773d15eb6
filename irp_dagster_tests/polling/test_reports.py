"""Results metadata of a batch and the per-cycle summary, from SQL aggregates."""

from __future__ import annotations

from sqlalchemy import update

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, CycleStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Cycle, Job, JobConfiguration
from irp_dagster.services.reports import FAILED_SHOWN, batch_metadata, cycle_summaries
from irp_dagster_tests.polling.conftest import add_batch

QUOTA = "EDM quota | exceeded"


def _set(engine, job_id: int, status: JobStatus, **values) -> None:
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id == job_id).values(status=status, **values))


def _cycle_with_two_batches(engine, cycle: str = "r1") -> tuple[int, list[int]]:
    """edm_creation COMPLETED (2 of 2 fulfilled); mri_import ACTIVE: FINISHED, FAILED, RUNNING
    and a skipped configuration."""
    _, edm = add_batch(
        engine,
        ["m1", "m2"],
        cycle=cycle,
        status=JobStatus.FINISHED,
        batch_status=BatchStatus.COMPLETED,
    )
    mri_batch, mri = add_batch(
        engine,
        ["m3", "m4", "m5", "m6"],
        family="import",
        batch_type=BatchType.MRI_IMPORT,
        cycle=cycle,
    )
    _set(engine, mri[0], JobStatus.FINISHED, result={"exposure_id": 7})
    _set(engine, mri[1], JobStatus.FAILED, last_error=QUOTA)
    _set(engine, mri[2], JobStatus.RUNNING)
    with transaction(engine) as session:
        configuration_id = session.get(Job, mri[3]).job_configuration_id
        session.execute(
            update(JobConfiguration)
            .where(JobConfiguration.id == configuration_id)
            .values(skipped=True, skipped_reason="not needed")
        )
        session.execute(update(Job).where(Job.id == mri[3]).values(skipped=True))
    return mri_batch, mri


def test_batch_metadata_counts_failures_ids_and_cycle_progress(engine) -> None:
    batch_id, jobs = _cycle_with_two_batches(engine)
    implemented = (BatchType.EDM_CREATION, BatchType.MRI_IMPORT, BatchType.GEOHAZ)

    metadata = batch_metadata(engine, batch_id, implemented=implemented)

    assert metadata["cycle"] == "r1" and metadata["batch_status"] == "ACTIVE"
    assert metadata["jobs"] == 4 and metadata["failed_jobs_count"] == 1
    assert metadata["percent_complete"] == 33.3  # 1 of 3 live configurations
    assert metadata["cycle_percent_complete"] == 60.0  # (2 + 1) of (2 + 3)
    assert metadata["cycle_fulfilled_configurations"] == "3 / 5"
    assert metadata["cycle_batches_completed"] == "1 / 3"
    assert metadata["cycle_batches_percent_complete"] == 33.3
    counts = metadata["job_status_counts"].value
    assert "| FAILED | 1 |" in counts and "| RUNNING | 1 |" in counts
    failed = metadata["failed_jobs"].value
    assert "EDM quota \\| exceeded" in failed and f"| {jobs[1]} |" in failed and "m4" in failed
    ids = metadata["moodys_ids"].value
    assert all(m in ids for m in ("m3", "m4", "m5")) and "m6" not in ids  # skipped job left out
    assert '{"exposure_id":7}' in ids
    assert "recon_summary" not in metadata  # never reconciled


def test_batch_metadata_defaults_to_all_twelve_types(engine) -> None:
    batch_id, _ = add_batch(engine, [], batch_status=BatchStatus.COMPLETED)
    metadata = batch_metadata(engine, batch_id)
    assert metadata["cycle_batches_completed"] == "1 / 12"
    assert metadata["percent_complete"] == 100.0 and "failed_jobs" not in metadata


def test_cycle_summaries_cover_active_cycles_only(engine) -> None:
    _cycle_with_two_batches(engine, "r1")
    _, many = add_batch(engine, [f"x{i}" for i in range(25)], cycle="r2", status=JobStatus.FAILED)
    add_batch(engine, ["old"], cycle="gone")
    with transaction(engine) as session:
        session.execute(
            update(Cycle).where(Cycle.name == "gone").values(status=CycleStatus.ARCHIVED)
        )

    summaries = {s.cycle: s for s in cycle_summaries(engine)}

    assert set(summaries) == {"r1", "r2"}
    r1, r2 = summaries["r1"], summaries["r2"]
    assert r1.batches == {"COMPLETED": 1, "ACTIVE": 1}
    assert r1.jobs == {"FINISHED": 3, "FAILED": 1, "RUNNING": 1, "SKIPPED": 1}
    assert [f[4] for f in r1.failures] == [QUOTA]
    assert len(r2.failures) == FAILED_SHOWN and r2.failures[0][0] == many[0]
    text = r2.markdown()
    assert "### Cycle r2" in text and f"25 unsuccessful job(s); the first {FAILED_SHOWN}" in text
