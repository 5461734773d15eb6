"""The configuration lifecycle of domain.md on real databases: VALID / ERROR, SUPERSEDED on a
new version, a no-op for the same content, refused once batches exist (naming them)."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import func, select

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import ConfigurationStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Configuration, Job, JobConfiguration
from irp_dagster.services.configurations import (
    ConfigurationLockedError,
    load_configuration,
    register_workbook,
)
from irp_dagster.workbook import write_sample_workbook

CYCLE = "2026-Q2"


@pytest.fixture
def workbook(tmp_path):
    return write_sample_workbook(tmp_path / "sample.xlsx")


def _edited(workbook, tmp_path, name: str, sheet: str, cell: str, value) -> object:
    book = openpyxl.load_workbook(workbook)
    book[sheet][cell] = value
    path = tmp_path / name
    book.save(path)
    return path


def _rows(engine) -> list[tuple[int, ConfigurationStatus]]:
    with transaction(engine) as session:
        return [
            (c.version, c.status)
            for c in session.scalars(select(Configuration).order_by(Configuration.version))
        ]


def test_new_version_supersedes_and_same_content_is_a_no_op(engine, workbook, tmp_path) -> None:
    register_workbook(engine, CYCLE, workbook)
    first = load_configuration(engine, CYCLE)
    assert first.status is ConfigurationStatus.VALID and first.version == 1
    again = load_configuration(engine, CYCLE)
    assert (again.configuration_id, again.validation) == (first.configuration_id, None)

    changed = _edited(workbook, tmp_path, "v2.xlsx", "Portfolios", "A2", "RENAMED_PORTFOLIO")
    second = load_configuration(engine, CYCLE, changed)
    assert second.version == 2
    assert _rows(engine)[0] == (1, ConfigurationStatus.SUPERSEDED)


def test_invalid_workbook_stores_only_the_error_configuration(engine, workbook, tmp_path) -> None:
    broken = _edited(workbook, tmp_path, "broken.xlsx", "Databases", "B2", "maybe")
    register_workbook(engine, CYCLE, broken)
    loaded = load_configuration(engine, CYCLE)
    assert loaded.status is ConfigurationStatus.ERROR
    with transaction(engine) as session:
        (row,) = session.scalars(select(Configuration)).all()
        assert row.data is None
        assert [(e["sheet"], e["row"], e["column"]) for e in row.errors] == [
            ("Databases", 2, "Store in Data Bridge?")
        ]
        for table in (Batch, JobConfiguration, Job):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_replacing_a_configuration_with_batches_is_refused(engine, workbook, tmp_path) -> None:
    register_workbook(engine, CYCLE, workbook)
    loaded = load_configuration(engine, CYCLE)
    with transaction(engine) as session:
        session.add(
            Batch(configuration_id=loaded.configuration_id, batch_type=BatchType.EDM_CREATION)
        )
    changed = _edited(workbook, tmp_path, "v2.xlsx", "Portfolios", "A2", "RENAMED_PORTFOLIO")
    with pytest.raises(ConfigurationLockedError, match="edm_creation"):
        load_configuration(engine, CYCLE, changed)
    assert _rows(engine) == [(1, ConfigurationStatus.VALID)]


def test_an_archived_cycle_gets_no_new_batch(engine, workbook) -> None:
    from irp_dagster.domain.statuses import CycleStatus
    from irp_dagster.persistence.models import Cycle
    from irp_dagster.persistence.repository import set_cycle_status
    from irp_dagster.services.batches import BatchNotReadyError, ensure_batch

    register_workbook(engine, CYCLE, workbook)
    load_configuration(engine, CYCLE)
    with transaction(engine) as session:
        set_cycle_status(session.scalars(select(Cycle)).one(), CycleStatus.ARCHIVED)
    with pytest.raises(BatchNotReadyError, match="ARCHIVED"):
        ensure_batch(engine, CYCLE, BatchType.EDM_CREATION)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
