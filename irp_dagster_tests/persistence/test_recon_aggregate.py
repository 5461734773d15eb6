"""Recon over a real database: effective jobs, skips and resubmissions, in one aggregate."""

from __future__ import annotations

import uuid

from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, BatchReconLog, Job, JobConfiguration
from irp_dagster.persistence.repository import recon_input
from irp_dagster.services.recon import reconcile_batch
from irp_dagster_tests.persistence.test_schema import make_batch


def _set(session, batch_id: int, statuses: list[JobStatus]) -> list[int]:
    jobs = session.query(Job).filter_by(batch_id=batch_id).order_by(Job.id).all()
    for job, status in zip(jobs, statuses, strict=True):
        job.status = status
    return [job.id for job in jobs]


def test_all_finished_completes_and_logs(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=3)
        batch.status = BatchStatus.ACTIVE
        _set(session, batch.id, [JobStatus.FINISHED] * 3)
        batch_id = batch.id
    outcome = reconcile_batch(engine, batch_id)
    assert outcome.status is BatchStatus.COMPLETED
    assert outcome.summary["fulfilled_configs"] == 3
    with transaction(engine) as session:
        assert session.get(Batch, batch_id).status is BatchStatus.COMPLETED
        assert session.query(BatchReconLog).filter_by(batch_id=batch_id).count() == 1


def test_failed_job_id_is_in_summary(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=3)
        batch.status = BatchStatus.ACTIVE
        ids = _set(session, batch.id, [JobStatus.FINISHED, JobStatus.FAILED, JobStatus.FINISHED])
        batch_id = batch.id
    outcome = reconcile_batch(engine, batch_id)
    assert outcome.status is BatchStatus.FAILED
    assert outcome.summary["failed_job_ids"] == [ids[1]]


def test_resubmitted_job_is_the_effective_one(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=2)
        batch.status = BatchStatus.ACTIVE
        ids = _set(session, batch.id, [JobStatus.FINISHED, JobStatus.FAILED])
        failed = session.get(Job, ids[1])
        failed.skipped, failed.skipped_reason = True, "resubmitted"
        session.add(
            Job(
                batch_id=batch.id,
                job_configuration_id=failed.job_configuration_id,
                parent_job_id=failed.id,
                request_id=str(uuid.uuid4()),
                status=JobStatus.RUNNING,
            )
        )
        batch_id = batch.id
    with transaction(engine) as session:
        recon = recon_input(session, batch_id)
    assert recon.effective_status_counts == {JobStatus.FINISHED: 1, JobStatus.RUNNING: 1}
    assert recon.job_status_counts == {"FINISHED": 1, "SKIPPED": 1, "RUNNING": 1}
    assert reconcile_batch(engine, batch_id).status is BatchStatus.ACTIVE
    with transaction(engine) as session:
        session.query(Job).filter_by(
            batch_id=batch_id, status=JobStatus.RUNNING
        ).one().status = JobStatus.FINISHED
    assert reconcile_batch(engine, batch_id).status is BatchStatus.COMPLETED


def test_configuration_with_only_skipped_jobs_awaits_action(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=2)
        batch.status = BatchStatus.ACTIVE
        ids = _set(session, batch.id, [JobStatus.FINISHED, JobStatus.FAILED])
        job = session.get(Job, ids[1])
        job.skipped, job.skipped_reason = True, "operator"
        batch_id, awaiting_cfg = batch.id, job.job_configuration_id
    outcome = reconcile_batch(engine, batch_id)
    assert outcome.status is BatchStatus.ACTIVE
    assert outcome.summary["awaiting_action_config_ids"] == [awaiting_cfg]


def test_skipped_configuration_is_left_out(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=2)
        batch.status = BatchStatus.ACTIVE
        ids = _set(session, batch.id, [JobStatus.FINISHED, JobStatus.FAILED])
        cfg = session.get(JobConfiguration, session.get(Job, ids[1]).job_configuration_id)
        cfg.skipped, cfg.skipped_reason = True, "not needed this quarter"
        batch_id = batch.id
    outcome = reconcile_batch(engine, batch_id)
    assert outcome.status is BatchStatus.COMPLETED
    assert outcome.summary["non_skipped_configs"] == 1


def test_empty_batch_completes(engine) -> None:
    with transaction(engine) as session:
        batch_id = make_batch(session).id
    assert reconcile_batch(engine, batch_id).status is BatchStatus.COMPLETED
