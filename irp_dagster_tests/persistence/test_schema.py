"""The Alembic migrations build the whole schema, with its constraints, on both backends."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, IllegalTransitionError, JobStatus
from irp_dagster.persistence.db import current_revision, head_revision, transaction
from irp_dagster.persistence.models import (
    Base,
    Batch,
    Configuration,
    Cycle,
    Job,
    JobConfiguration,
)
from irp_dagster.persistence.repository import set_job_status


def make_batch(session, *, n_jobs: int = 0, batch_type=BatchType.EDM_CREATION) -> Batch:
    cycle = Cycle(name=f"c-{uuid.uuid4().hex[:6]}")
    session.add(cycle)
    session.flush()
    configuration = Configuration(
        cycle_id=cycle.id, version=1, file_name="w.xlsx", content_hash="h", data={}
    )
    session.add(configuration)
    session.flush()
    batch = Batch(configuration_id=configuration.id, batch_type=batch_type)
    session.add(batch)
    session.flush()
    for i in range(n_jobs):
        jc = JobConfiguration(batch_id=batch.id, key=f"k{i}", data={})
        session.add(jc)
        session.flush()
        session.add(
            Job(batch_id=batch.id, job_configuration_id=jc.id, request_id=str(uuid.uuid4()))
        )
    session.flush()
    return batch


def test_migrations_upgrade_an_empty_database_to_head(engine) -> None:
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert {
        "cycle",
        "configuration",
        "batch",
        "job_configuration",
        "job",
        "job_tracking_log",
        "batch_recon_log",
        "job_retry",
        "operator_action",
    } <= tables


def test_only_one_open_batch_per_configuration_and_type(engine) -> None:
    with transaction(engine) as session:
        first = make_batch(session)
        configuration_id = first.configuration_id
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(Batch(configuration_id=configuration_id, batch_type=BatchType.EDM_CREATION))
    # Once the first is finished, a new one may be opened.
    with transaction(engine) as session:
        session.get(Batch, first.id).status = BatchStatus.COMPLETED
    with transaction(engine) as session:
        session.add(Batch(configuration_id=configuration_id, batch_type=BatchType.EDM_CREATION))


def test_request_ids_are_unique(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=1)
        job = batch.jobs[0] if batch.jobs else session.query(Job).filter_by(batch_id=batch.id).one()
        request_id, batch_id, jc_id = job.request_id, batch.id, job.job_configuration_id
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(Job(batch_id=batch_id, job_configuration_id=jc_id, request_id=request_id))


def test_foreign_keys_are_enforced(engine) -> None:
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(Batch(configuration_id=999_999, batch_type=BatchType.EDM_CREATION))


def test_status_check_constraint_rejects_unknown_values(engine) -> None:
    from sqlalchemy import text

    with transaction(engine) as session:
        batch_id = make_batch(session).id
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE batch SET status = 'BOGUS' WHERE id = :id"), {"id": batch_id})


def test_status_writes_go_through_the_state_machine(engine) -> None:
    with transaction(engine) as session:
        batch = make_batch(session, n_jobs=1)
        job = session.query(Job).filter_by(batch_id=batch.id).one()
        with pytest.raises(IllegalTransitionError, match="INITIATED -> FINISHED"):
            set_job_status(job, JobStatus.FINISHED)
        assert set_job_status(job, JobStatus.SUBMITTING)
        assert not set_job_status(job, JobStatus.SUBMITTING)
