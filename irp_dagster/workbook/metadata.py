"""The Metadata sheet: key in column A, value in column B, no header row.

Every key of :data:`~irp_dagster.workbook.spec.METADATA_KEYS` is required (STRUCT-003); its
value must be present unless the key is optional (NULL-002), of its kind (TYPE-002) and match
its rules (FMT-001/FMT-002). Versions stay strings ("23.0.0"); other keys are kept as JSON
scalars.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.workbook.cells import has_kind, is_blank, normalise, to_json
from irp_dagster.workbook.model import WorkbookError
from irp_dagster.workbook.reader import RawSheet
from irp_dagster.workbook.spec import METADATA, METADATA_KEYS, Kind


def parse_metadata(raw: RawSheet) -> tuple[dict[str, Any], dict[str, int], list[WorkbookError]]:
    """The Metadata dict (key -> JSON scalar), each key's Excel row and the sheet's errors."""
    errors: list[WorkbookError] = []
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for issue in raw.issues:
        errors.append(
            WorkbookError(
                issue.code,
                METADATA,
                issue.row,
                _key_at(raw, issue.row),
                to_json(issue.value),
                issue.message,
            )
        )
    for row, cells in raw.rows:
        key_cell = cells[0] if cells else None
        value = cells[1] if len(cells) > 1 and (row, 1) not in raw.blocked else None
        if is_blank(key_cell):
            if not is_blank(value):
                errors.append(
                    WorkbookError(
                        "STRUCT-004",
                        METADATA,
                        row,
                        None,
                        to_json(value),
                        f"Row {row} has the value {value!r} in column B but no key in column A",
                    )
                )
            continue
        key = str(key_cell).strip()
        if key in rows:
            errors.append(
                WorkbookError(
                    "STRUCT-004",
                    METADATA,
                    row,
                    key,
                    to_json(value),
                    f"Metadata key {key!r} is already given in row {rows[key]}; give each key once",
                )
            )
            continue
        rows[key] = row
        values[key] = value
    metadata: dict[str, Any] = {}
    for key, value in values.items():
        metadata[key] = to_json(normalise(Kind.TEXT, value) if isinstance(value, str) else value)
    for spec in METADATA_KEYS:
        if spec.name not in rows:
            errors.append(
                WorkbookError(
                    "STRUCT-003",
                    METADATA,
                    None,
                    spec.name,
                    None,
                    f"Metadata key {spec.name!r} is missing; add it in column A with its value "
                    "in column B",
                )
            )
            continue
        row, raw_value = rows[spec.name], values[spec.name]
        if (row, 1) in raw.blocked:
            continue
        value = _normalise_key(spec.kind, raw_value)
        metadata[spec.name] = to_json(value)
        if value is None:
            if spec.required:
                errors.append(
                    WorkbookError(
                        "NULL-002",
                        METADATA,
                        row,
                        spec.name,
                        None,
                        f"Metadata key {spec.name!r} has no value in column B",
                    )
                )
            continue
        if not has_kind(spec.kind, value):
            errors.append(
                WorkbookError(
                    "TYPE-002",
                    METADATA,
                    row,
                    spec.name,
                    to_json(raw_value),
                    f"Metadata key {spec.name!r} must be a {spec.kind}, not {raw_value!r}",
                )
            )
            continue
        for rule in spec.rules:
            if not rule.test(value):
                errors.append(
                    WorkbookError(
                        rule.code,
                        METADATA,
                        row,
                        spec.name,
                        to_json(value),
                        rule.message.format(column=spec.name, value=value),
                    )
                )
    return metadata, rows, errors


def _normalise_key(kind: Kind, value: Any) -> Any:
    """Text keys accept whole numbers typed as numbers (202503 -> "202503"); other numbers,
    booleans and dates stay as they are and fail the type check."""
    if kind is Kind.TEXT and isinstance(value, float):
        return value
    return normalise(kind, value)


def _key_at(raw: RawSheet, row: int) -> str | None:
    for r, cells in raw.rows:
        if r == row and cells and not is_blank(cells[0]):
            return str(cells[0]).strip()
    return None
