"""Fixtures for the polling and operations tests: jobs created straight in the mock's state,
matching rows in the domain tables, a fast SQLite copy of a migrated database."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, ConfigurationStatus, JobStatus
from irp_dagster.persistence.db import make_engine, transaction, upgrade
from irp_dagster.persistence.models import (
    Batch,
    Configuration,
    Cycle,
    Job,
    JobConfiguration,
    utcnow,
)

RG = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "irp.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_engine(_migrated_sqlite: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite domain database (a copy of one migrated once per session)."""
    path = tmp_path / "irp.sqlite"
    shutil.copy(_migrated_sqlite, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def at_mock(mock, family: str, n: int = 1, job_type: str = "POLL_TEST", **plan) -> list[str]:
    """Create ``n`` jobs of ``family`` in the mock's state (no HTTP); their Moody's ids."""
    ids = []
    for i in range(n):
        job = mock.state.create_job(
            family, job_type, f"{job_type}_{i}", headers={"x-rms-resource-group-id": RG}, route="/"
        )
        for key, value in plan.items():
            setattr(job, key, value)
        ids.append(str(job.id))
    mock.state.touch()
    return ids


def add_batch(
    engine: Engine,
    moodys_ids: list[str | None],
    *,
    family: str | None = "riskdata",
    batch_type: BatchType = BatchType.EDM_CREATION,
    status: JobStatus = JobStatus.SUBMITTED,
    cycle: str | None = None,
    submitted_at: datetime | None = None,
    batch_status: BatchStatus = BatchStatus.ACTIVE,
) -> tuple[int, list[int]]:
    """A cycle (reused by name), its configuration, a batch and one job per Moody's id."""
    now = utcnow()
    with transaction(engine) as session:
        name = cycle or f"c-{uuid.uuid4().hex[:6]}"
        row = session.scalar(select(Cycle).where(Cycle.name == name))
        if row is None:
            row = Cycle(name=name)
            session.add(row)
            session.flush()
            session.add(
                Configuration(
                    cycle_id=row.id,
                    version=1,
                    file_name="w.xlsx",
                    content_hash="h",
                    data={},
                    status=ConfigurationStatus.ACTIVE,
                )
            )
            session.flush()
        configuration_id = session.scalar(
            select(Configuration.id).where(Configuration.cycle_id == row.id)
        )
        batch = Batch(
            configuration_id=configuration_id,
            batch_type=batch_type,
            status=batch_status,
            submitted_at=now,
        )
        session.add(batch)
        session.flush()
        configs = session.scalars(
            insert(JobConfiguration).returning(JobConfiguration.id, sort_by_parameter_order=True),
            [{"batch_id": batch.id, "key": f"k{i}", "data": {}} for i in range(len(moodys_ids))],
        ).all()
        job_ids = session.scalars(
            insert(Job).returning(Job.id, sort_by_parameter_order=True),
            [
                {
                    "batch_id": batch.id,
                    "job_configuration_id": config_id,
                    "request_id": str(uuid.uuid4()),
                    "status": status,
                    "moodys_family": family,
                    "moodys_job_id": moodys_id,
                    "submitted_at": submitted_at or now,
                }
                for config_id, moodys_id in zip(configs, moodys_ids, strict=True)
            ],
        ).all()
        return batch.id, list(job_ids)


def jobs_by_id(engine: Engine, ids: list[int]) -> list[Job]:
    with transaction(engine) as session:
        found = {j.id: j for j in session.scalars(select(Job).where(Job.id.in_(ids)))}
    return [found[i] for i in ids]


def hours_ago(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)
