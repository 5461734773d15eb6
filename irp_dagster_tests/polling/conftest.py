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
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import make_engine, transaction, upgrade
from irp_dagster.persistence.models import (
    Batch,
    Job,
    JobConfiguration,
    utcnow,
)
from irp_dagster_tests.factories import active_configuration

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
        configuration_id = active_configuration(session, name).id
        batch = Batch(
            configuration_id=configuration_id,
            batch_type=batch_type,
            status=batch_status,
            submitted_at=now,
        )
        session.add(batch)
        session.flush()
        if not moodys_ids:
            return batch.id, []
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


CYCLE = "2026-Q1"


@pytest.fixture(scope="session")
def sample_workbook(tmp_path_factory) -> Path:
    from irp_dagster.workbook import write_sample_workbook

    return write_sample_workbook(tmp_path_factory.mktemp("wb") / "sample.xlsx")


def resources_for(database_url: str, mock) -> dict:
    from irp_dagster.defs.resources import DatabaseResource, MoodysResource

    return {
        "database": DatabaseResource(url=database_url),
        "moodys": MoodysResource(
            base_url=mock.base_url,
            api_key="test-key",
            resource_group_id=RG,
            max_retries=2,
            backoff_max_seconds=0.05,
        ),
    }


class CycleEnv:
    """A registered cycle, a persistent Dagster instance, the real assets, sensor and jobs."""

    def __init__(self, engine: Engine, url: str, instance, mock) -> None:
        import dagster as dg

        from irp_dagster.defs.batch_assets import batch_assets
        from irp_dagster.defs.configuration import configuration
        from irp_dagster.defs.schedules import cycle_summary, recovery_sweep
        from irp_dagster.defs.sensors import moodys_job_sensor

        self.engine, self.instance, self.mock = engine, instance, mock
        self.resources = resources_for(url, mock)
        self.defs = dg.Definitions(
            assets=[configuration, *batch_assets],
            jobs=[recovery_sweep, cycle_summary],
            sensors=[moodys_job_sensor],
            resources=self.resources,
            executor=dg.in_process_executor,
        )

    def materialize(self, *keys, raise_on_error: bool = True):
        job = self.defs.resolve_implicit_global_asset_job_def()
        return job.execute_in_process(
            asset_selection=list(keys),
            partition_key=CYCLE,
            instance=self.instance,
            raise_on_error=raise_on_error,
        )

    def tick(self):
        import dagster as dg

        from irp_dagster.defs.sensors import moodys_job_sensor

        with dg.build_sensor_context(
            instance=self.instance, resources=self.resources, definitions=self.defs
        ) as context:
            return moodys_job_sensor(context)

    def run_job(self, name: str, run_config: dict | None = None):
        job = self.defs.resolve_job_def(name)
        return job.execute_in_process(instance=self.instance, run_config=run_config or {})

    def jobs(self) -> list[Job]:
        with transaction(self.engine) as session:
            return list(session.scalars(select(Job).order_by(Job.id)))

    def posts(self, path: str = "/platform/riskdata/v1/exposuresets/*/exposures") -> int:
        return len(self.mock.state.journal(path, "POST"))


@pytest.fixture
def ops_env(sqlite_engine, mock_server) -> Iterator[CycleEnv]:
    """SQLite, the mock, a persistent Dagster instance with cycle ``CYCLE`` as a partition."""
    import dagster as dg

    from irp_dagster.defs.partitions import cycles

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(cycles.name, [CYCLE])
        url = sqlite_engine.url.render_as_string(False)
        yield CycleEnv(sqlite_engine, url, instance, mock_server)


@pytest.fixture
def cycle_env(ops_env, sample_workbook) -> CycleEnv:
    """``ops_env`` with the sample workbook registered as cycle ``CYCLE``."""
    from irp_dagster.services.configurations import register_workbook

    register_workbook(ops_env.engine, CYCLE, sample_workbook)
    return ops_env
