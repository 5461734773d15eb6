"""The project's own sample workbook: real structure, its own names, valid."""

from __future__ import annotations

import openpyxl

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.transformers import transform
from irp_dagster.workbook import validate_workbook


def test_sample_workbook_is_valid_and_realistic(sample_workbook) -> None:
    v = validate_workbook(sample_workbook)
    assert v.ok, v.errors_markdown()
    c = v.configuration
    assert len(c["databases"]) == 3
    assert len(c["portfolios"]) == 12
    assert 2 <= len(c["reinsurance_treaties"]) <= 3
    assert len(c["analysis_table"]) >= 20
    assert len(c["groupings"]) == 15
    assert len(transform(BatchType.GROUPING_ROLLUP, c)) == 2
    assert len(transform(BatchType.PORTFOLIO_CREATION, c)) == 5


def test_sample_has_the_real_sheets_and_columns_but_its_own_names(
    sample_workbook, real_workbook
) -> None:
    sample = openpyxl.load_workbook(sample_workbook, read_only=True)
    real = openpyxl.load_workbook(real_workbook, read_only=True)
    required = [s for s in real.sheetnames if s != "Validations"]
    assert sample.sheetnames == required

    def header(wb, sheet):
        return next(wb[sheet].iter_rows(max_row=1, values_only=True))

    for sheet in required[1:]:
        assert header(sample, sheet) == header(real, sheet), sheet
    sample_names = {v for ws in sample for row in ws.iter_rows(values_only=True) for v in row}
    real_db_names = {r[0] for r in real["Databases"].iter_rows(min_row=2, values_only=True)}
    assert not sample_names & real_db_names
