"""The polling and sweep queries of the repository, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, utcnow
from irp_dagster.persistence.repository import (
    batches_waiting_to_submit,
    batches_with_stale_recon,
    batches_with_stuck_submissions,
    tracked_jobs,
)
from irp_dagster_tests.polling.conftest import add_batch, hours_ago


def _set(engine, job_ids: list[int], **values) -> None:
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id.in_(job_ids)).values(**values))


def test_tracked_jobs_and_the_stale_subset(engine) -> None:
    _, (polled, never_old, never_new, done) = add_batch(engine, ["1", "2", "3", "4"])
    _set(engine, [polled], last_polled_at=utcnow())
    _set(engine, [never_old], submitted_at=hours_ago(1))
    _set(engine, [done], status=JobStatus.FINISHED)

    with transaction(engine) as session:
        every = tracked_jobs(session)
        stale = tracked_jobs(session, polled_before=utcnow() - timedelta(minutes=10))
    assert [j.id for j in every] == [polled, never_old, never_new]
    assert [(j.id, j.family, j.batch_type) for j in stale] == [
        (never_old, "riskdata", "edm_creation")
    ]


def test_batches_waiting_to_submit_count_their_jobs(engine) -> None:
    batch, jobs = add_batch(engine, ["1", "2", None, None, None], cycle="w")
    _set(engine, jobs[2:4], status=JobStatus.INITIATED, moodys_job_id=None)
    _set(engine, jobs[4:], status=JobStatus.SUBMITTING, moodys_job_id=None)
    add_batch(engine, ["9"], cycle="w2")  # nothing waiting
    _, paused_jobs = add_batch(engine, [None], batch_status=BatchStatus.PAUSED)
    _set(engine, paused_jobs, status=JobStatus.INITIATED)

    with transaction(engine) as session:
        (waiting,) = batches_waiting_to_submit(session)
    assert (waiting.batch_id, waiting.cycle) == (batch, "w")
    assert (waiting.in_flight, waiting.initiated, waiting.submitting) == (2, 2, 1)


def test_stuck_submissions_and_stale_recons_are_found_by_age(engine) -> None:
    stuck_batch, stuck = add_batch(engine, [None], cycle="s")
    _set(engine, stuck, status=JobStatus.SUBMITTING, updated_at=hours_ago(1))
    _, fresh = add_batch(engine, [None], cycle="f")
    _set(engine, fresh, status=JobStatus.SUBMITTING)
    old_batch, old = add_batch(engine, ["1"], cycle="o", status=JobStatus.FINISHED)
    _set(engine, old, completed_at=hours_ago(1))
    _, new = add_batch(engine, ["2"], cycle="n", status=JobStatus.FINISHED)
    _set(engine, new, completed_at=utcnow())
    reconciled, done = add_batch(engine, ["3"], cycle="r", status=JobStatus.FINISHED)
    _set(engine, done, completed_at=hours_ago(2))
    with transaction(engine) as session:
        session.execute(
            update(Batch).where(Batch.id == reconciled).values(last_recon_at=hours_ago(1))
        )

    before = utcnow() - timedelta(minutes=15)
    with transaction(engine) as session:
        assert batches_with_stuck_submissions(session, before=before) == [
            (stuck_batch, "edm_creation", "s")
        ]
        stale = batches_with_stale_recon(session, before=before)
    assert [b for b, _, _ in stale] == [old_batch]  # not the fresh, reconciled or busy ones
