"""A cycle on real parts: the sample workbook, a Dagster instance, the domain database (SQLite
or PostgreSQL) and the mock Moody's over HTTP on a manual clock, driven by the demo's driver."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import Engine, select

from irp_dagster.defs.batch_assets import batch_assets
from irp_dagster.defs.configuration import configuration
from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.sensors import moodys_job_sensor
from irp_dagster.demo import CycleDriver, quiet_dagster
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.configurations import register_workbook
from irp_dagster.workbook import write_sample_workbook
from irp_dagster_tests.conftest import resources_against

CYCLE = "2026-Q2"
#: mock seconds per idle driver tick: the slowest job (HD, 20 + 3 + 900 s) needs 3 ticks
CLOCK_STEP = 400.0


@pytest.fixture(scope="session")
def sample_workbook(tmp_path_factory) -> Path:
    return write_sample_workbook(tmp_path_factory.mktemp("wb") / "sample.xlsx")


@dataclass
class CycleEnv:
    engine: Engine
    instance: dg.DagsterInstance
    defs: dg.Definitions
    mock: Any
    driver: CycleDriver

    def _live(self, batch_type: BatchType, column) -> dict[str, Any]:
        with transaction(self.engine) as session:
            rows = session.execute(
                select(JobConfiguration.key, column)
                .join(Job, Job.job_configuration_id == JobConfiguration.id)
                .join(Batch, Job.batch_id == Batch.id)
                .where(Batch.batch_type == batch_type, Job.skipped.is_(False))
            ).all()
        return {key: value for key, value in rows if value is not None}

    def results(self, batch_type: BatchType) -> dict[str, dict]:
        """Job configuration key -> recorded outcome of its live job (when it has one)."""
        return self._live(batch_type, Job.result)

    def requests(self, batch_type: BatchType) -> dict[str, dict]:
        """Job configuration key -> recorded submission request of its live job."""
        return self._live(batch_type, Job.submission_request)

    def store(self, kind: str) -> list[dict]:
        with self.mock.state.lock:
            return list(self.mock.state.store.rows(kind))


@pytest.fixture
def cycle_env(database_url, engine, mock_server, sample_workbook, tmp_path, monkeypatch):
    monkeypatch.setenv("IRP_HOME", str(tmp_path / "home"))
    for name in ("IRP_SOURCE_DATABASE_URL", "IRP_DATABRIDGE_DATABASE_URL", "IRP_SQL_DIR"):
        monkeypatch.delenv(name, raising=False)
    quiet_dagster()
    register_workbook(engine, CYCLE, sample_workbook)
    resources = resources_against(database_url, mock_server.base_url)
    defs = dg.Definitions(
        assets=[configuration, *batch_assets],
        sensors=[moodys_job_sensor],
        resources=resources,
        executor=dg.in_process_executor,
    )
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(cycles.name, [CYCLE])
        driver = CycleDriver(
            defs,
            instance,
            engine,
            CYCLE,
            echo=lambda line: None,
            between_ticks=lambda: mock_server.state.advance(CLOCK_STEP),
        )
        yield CycleEnv(engine, instance, defs, mock_server, driver)
