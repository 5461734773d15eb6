"""Read an .xlsx file into plain rows, reporting what cannot be read instead of guessing.

The workbook is opened twice: with cached values (what Excel last computed) and with formulas,
so a formula cell without a saved value (a file written by a tool and never opened in Excel)
is reported (TYPE-003) rather than read as an empty cell. Merged cells are reported
(STRUCT-004). Fully empty rows, trailing formatted rows included, are dropped; Excel row
numbers are kept.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from irp_dagster.workbook.cells import is_blank


class WorkbookUnreadable(Exception):
    """The file is not an .xlsx workbook openpyxl can open."""


@dataclass(frozen=True)
class CellIssue:
    """A cell that cannot be read: its Excel row, 0-based column, code, raw value, message."""

    row: int
    col: int
    code: str
    value: Any
    message: str


@dataclass
class RawSheet:
    """A sheet's non-empty rows as ``(excel_row, values)``. A cell with an issue is blocked:
    its value is None and no further rule reports it."""

    name: str
    rows: list[tuple[int, list[Any]]]
    issues: list[CellIssue] = field(default_factory=list)
    blocked: set[tuple[int, int]] = field(default_factory=set)


def column_letter(col: int) -> str:
    """The Excel letter of a 0-based column index."""
    return get_column_letter(col + 1)


def cell_name(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def open_workbook(path: Path) -> dict[str, RawSheet]:
    """Every worksheet of the file, by name, in workbook order."""
    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = (
            openpyxl.load_workbook(path, data_only=False, read_only=True)
            if _has_formulas(path)
            else None
        )
    except Exception as exc:  # openpyxl raises many exception types for a damaged file
        raise WorkbookUnreadable(f"{type(exc).__name__}: {exc}") from exc
    try:
        return {
            ws.title: _read_sheet(ws, formulas[ws.title] if formulas else None)
            for ws in values.worksheets
        }
    finally:
        if formulas:
            formulas.close()


_FORMULA = re.compile(rb"<(\w+:)?f[ >/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula element (the second, formula load is then needed)."""
    with zipfile.ZipFile(path) as archive:
        return any(
            _FORMULA.search(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _read_sheet(ws: Worksheet, formula_ws: Any) -> RawSheet:
    sheet = RawSheet(ws.title, [])
    formula_rows = (
        dict(enumerate(formula_ws.iter_rows(values_only=True), start=1)) if formula_ws else {}
    )
    for index, row in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(row)
        source = formula_rows.get(index, ())
        for col, value in enumerate(values):
            formula = source[col] if col < len(source) else None
            if value is None and isinstance(formula, str) and formula.startswith("="):
                _block(
                    sheet,
                    index,
                    col,
                    "TYPE-003",
                    formula,
                    f"Cell {cell_name(index, col)} holds the formula {formula} but no saved "
                    "value; open the workbook in Excel so it calculates, save it, or type "
                    "the value",
                )
        if not all(is_blank(v) for v in values):
            sheet.rows.append((index, values))
    for cell_range in ws.merged_cells.ranges:
        top, left = cell_range.min_row, cell_range.min_col - 1
        _block(
            sheet,
            top,
            left,
            "STRUCT-004",
            str(cell_range),
            f"Cells {cell_range} are merged; unmerge them and fill every cell",
        )
        for r in range(cell_range.min_row, cell_range.max_row + 1):
            for c in range(cell_range.min_col - 1, cell_range.max_col):
                sheet.blocked.add((r, c))
    return sheet


def _block(sheet: RawSheet, row: int, col: int, code: str, value: Any, message: str) -> None:
    sheet.blocked.add((row, col))
    sheet.issues.append(CellIssue(row, col, code, value, message))
