"""Validate a configuration workbook in stages and build the configuration dict.

1. The file opens and has the ten required sheets (STRUCT-005, STRUCT-001).
2. Every present required sheet on its own: layout, columns, types, empty cells, uniqueness,
   patterns, ranges, row rules; all sheets are checked, all errors kept.
3. Cross-sheet rules, when stage 2 found nothing.
4. Moody's checks through a :class:`ReferenceChecker`, when given and stage 3 found nothing.

Never raises for a bad workbook and never touches a database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from irp_dagster.workbook import spec as S
from irp_dagster.workbook.cells import to_json
from irp_dagster.workbook.cross_sheet import cross_sheet
from irp_dagster.workbook.metadata import parse_metadata
from irp_dagster.workbook.model import WorkbookError, WorkbookValidation
from irp_dagster.workbook.reader import RawSheet, WorkbookUnreadable, open_workbook
from irp_dagster.workbook.references import ReferenceChecker, check_references
from irp_dagster.workbook.rules import SHEET_RULES
from irp_dagster.workbook.tables import Table, parse_table


def validate_workbook(
    path: Path | str, reference_checker: ReferenceChecker | None = None
) -> WorkbookValidation:
    """Validate the workbook at ``path``; see the module docstring for the stages."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        reason = "does not exist" if not path.exists() else f"cannot be read ({exc.strerror})"
        return _failed(path, "", f"Workbook file {str(path)!r} {reason}")
    content_hash = hashlib.sha256(content).hexdigest()
    try:
        sheets = open_workbook(path)
    except WorkbookUnreadable as exc:
        return _failed(path, content_hash, f"{path.name!r} is not a readable .xlsx workbook: {exc}")
    return _validate_sheets(path, content_hash, sheets, reference_checker)


def _failed(path: Path, content_hash: str, message: str) -> WorkbookValidation:
    error = WorkbookError("STRUCT-005", None, None, None, path.name, message)
    return WorkbookValidation(
        ok=False,
        errors=[error],
        configuration={},
        report={name: _status("SKIPPED", 0, 0) for name in S.REQUIRED_SHEETS},
        counts={},
        content_hash=content_hash,
        file_name=path.name,
    )


def _status(status: str, rows: int, errors: int) -> dict[str, Any]:
    return {"status": status, "rows": rows, "errors": errors}


def _validate_sheets(
    path: Path,
    content_hash: str,
    sheets: dict[str, RawSheet],
    checker: ReferenceChecker | None,
) -> WorkbookValidation:
    errors: list[WorkbookError] = []
    for name in S.REQUIRED_SHEETS:
        if name not in sheets:
            errors.append(
                WorkbookError(
                    "STRUCT-001", name, None, None, None, _missing_sheet_message(name, sheets)
                )
            )
    metadata: dict[str, Any] = {}
    metadata_rows: dict[str, int] = {}
    counts: dict[str, int] = {}
    if S.METADATA in sheets:
        metadata, metadata_rows, meta_errors = parse_metadata(sheets[S.METADATA])
        errors += meta_errors
        counts[S.METADATA] = len(metadata)
    tables: dict[str, Table] = {}
    for table_spec in S.TABLES:
        if table_spec.name in sheets:
            table = parse_table(table_spec, sheets[table_spec.name])
            rule = SHEET_RULES.get(table_spec.name)
            errors += table.errors + (rule(table) if rule else [])
            tables[table_spec.name] = table
            counts[table_spec.name] = len(table.frame)
    if not errors:
        errors += cross_sheet(tables)
    if not errors and checker is not None:
        errors += check_references(checker, tables, metadata, metadata_rows)
    configuration = {"metadata": metadata}
    for table_spec in S.TABLES:
        table = tables.get(table_spec.name)
        configuration[table_spec.key] = (
            (_groupings(table) if table_spec.item_prefix else table.records()) if table else []
        )
    return WorkbookValidation(
        ok=not errors,
        errors=errors,
        configuration=configuration,
        report=_report(sheets, counts, errors),
        counts=counts,
        content_hash=content_hash,
        file_name=path.name,
    )


def _groupings(table: Table) -> list[dict[str, Any]]:
    return [
        {
            "Group_Name": record["Group_Name"],
            "items": [to_json(item) for _, item in table.items.get(record["_row"], [])],
            "_row": record["_row"],
        }
        for record in table.records()
    ]


def _report(sheets, counts, errors) -> dict[str, dict[str, Any]]:
    per_sheet: dict[str | None, int] = {}
    for error in errors:
        per_sheet[error.sheet] = per_sheet.get(error.sheet, 0) + 1
    report = {}
    for name in S.REQUIRED_SHEETS:
        if name not in sheets:
            report[name] = _status("MISSING", 0, per_sheet.get(name, 0))
        else:
            n = per_sheet.get(name, 0)
            report[name] = _status("ERROR" if n else "VALID", counts.get(name, 0), n)
    for name, raw in sheets.items():
        if name not in report:
            report[name] = _status("SKIPPED", max(len(raw.rows) - 1, 0), 0)
    return report


def _missing_sheet_message(name: str, sheets: dict[str, RawSheet]) -> str:
    similar = [s for s in sheets if s.strip().casefold() == name.casefold()]
    hint = f"; found {similar[0]!r}: rename it exactly" if similar else ""
    return f"Required sheet {name!r} is missing{hint}. Sheets found: {', '.join(sheets) or 'none'}"
