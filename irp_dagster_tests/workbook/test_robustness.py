"""Random damage never crashes validation: every outcome is coded, located and JSON."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from openpyxl.cell.cell import MergedCell

from irp_dagster.workbook import ERROR_CODES, validate_workbook

from .test_intents import REQUIRED

ODD_VALUES = [
    None,
    "",
    "   ",
    True,
    False,
    0,
    -1,
    3.5,
    1e300,
    "x" * 300,
    "#N/A",
    "=1+1",
    "=A1&B1",
    dt.datetime(2025, 2, 3),
    dt.date(1900, 1, 1),
    dt.time(12, 30),
    dt.timedelta(hours=5),
    "Y",
    "N",
    "2025-13-45",
    "RM_EDM_202503_Quarterly_CBAP",
]


def damage(seed: int):
    def edit(wb) -> None:
        rng = random.Random(seed)
        for _ in range(25):
            ws = wb[rng.choice(REQUIRED)]
            row, col = rng.randint(1, ws.max_row + 2), rng.randint(1, ws.max_column + 1)
            action = rng.random()
            cell = ws.cell(row, col)
            if action < 0.8 and not isinstance(cell, MergedCell):
                cell.value = rng.choice(ODD_VALUES)
            elif action < 0.9:
                ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
            elif action < 0.95:
                ws.delete_rows(row)
            else:
                ws.delete_cols(col)

    return edit


@pytest.mark.parametrize("seed", range(6))
def test_random_damage_is_reported_never_raised(mutate, seed) -> None:
    result = validate_workbook(mutate(damage(seed)))
    assert not result.ok
    for error in result.errors:
        assert error.code in ERROR_CODES, error
        assert error.sheet in REQUIRED
        assert error.row is None or error.row >= 1
        assert error.message.strip()
    json.dumps([e.to_dict() for e in result.errors])
    json.dumps(result.configuration)
    json.dumps(result.report)
    assert "| code |" in result.errors_markdown()
