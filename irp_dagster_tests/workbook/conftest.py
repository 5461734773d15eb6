"""Workbook fixtures: the real workbook (validated once per session) and mutated copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from irp_dagster.workbook import WorkbookValidation, validate_workbook, write_sample_workbook
from irp_dagster_tests.conftest import REAL_WORKBOOK

Edit = Callable[[openpyxl.Workbook], None]


@pytest.fixture(scope="session")
def real_workbook() -> Path:
    return REAL_WORKBOOK


@pytest.fixture(scope="session")
def real_validation(real_workbook: Path) -> WorkbookValidation:
    return validate_workbook(real_workbook)


@pytest.fixture(scope="session")
def sample_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_workbook(tmp_path_factory.mktemp("sample") / "sample.xlsx")


@pytest.fixture
def mutate(tmp_path: Path, real_workbook: Path) -> Callable[..., Path]:
    """A copy of the real workbook with ``edit`` applied (openpyxl), saved in tmp_path."""

    def make(edit: Edit, name: str = "mutated.xlsx") -> Path:
        wb = openpyxl.load_workbook(real_workbook)
        edit(wb)
        path = tmp_path / name
        wb.save(path)
        return path

    return make


def set_cell(sheet: str, cell: str, value) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return edit


def where(result: WorkbookValidation) -> list[tuple[str, str | None, int | None, str | None]]:
    """(code, sheet, row, column) of every error, for exact assertions."""
    return [(e.code, e.sheet, e.row, e.column) for e in result.errors]
