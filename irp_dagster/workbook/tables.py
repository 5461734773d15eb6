"""One table sheet on its own: header, columns, cell types and the sheet's pandera schema.

The schema is declared from :mod:`irp_dagster.workbook.spec`: per column a type check, the
nullability, uniqueness and the value rules (patterns, ranges). Its failure cases are turned
into coded errors at the cell's Excel row; a cell that already has an error (a formula without
a value, a merged cell, a value of the wrong type) gets no second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from irp_dagster.workbook.cells import has_kind, is_blank, normalise, to_json
from irp_dagster.workbook.model import WorkbookError
from irp_dagster.workbook.reader import RawSheet, cell_name, column_letter
from irp_dagster.workbook.spec import ColumnSpec, Kind, Rule, SheetSpec

if TYPE_CHECKING:
    import pandera.pandas as pa


@dataclass
class Table:
    """A parsed table sheet: normalised values (index: Excel row) and the errors found."""

    spec: SheetSpec
    frame: pd.DataFrame
    errors: list[WorkbookError] = field(default_factory=list)
    #: Groupings: each row's items, in column order (index: Excel row)
    items: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)
    item_columns: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The rows as configuration dicts: the declared columns plus ``_row``."""
        out = []
        for row, values in zip(self.frame.index, self.frame.to_dict("records"), strict=True):
            record = {k: to_json(v) for k, v in values.items()}
            out.append({**record, "_row": int(row)})
        return out


def _type_rules(column: ColumnSpec) -> tuple[Rule, ...]:
    if column.kind is Kind.DATE:
        return (
            Rule(
                "FMT-003",
                lambda v: not isinstance(v, str),
                "{column} {value!r} is text, not a date; enter a date (or YYYY-MM-DD)",
            ),
            Rule(
                "TYPE-001",
                lambda v: isinstance(v, str) or has_kind(Kind.DATE, v),
                "{column} must be a date, not {value!r}",
            ),
        )
    return (
        Rule(
            "TYPE-001",
            lambda v, k=column.kind: has_kind(k, v),
            f"{{column}} must be a {column.kind}, not {{value!r}}",
        ),
    )


def _guarded(rule: Rule, kind: Kind):
    """Run a value rule only on well-typed values (a wrong type is reported once, as a type)."""
    return lambda v: not has_kind(kind, v) or rule.test(v)


@lru_cache(maxsize=64)
def _schema(spec: SheetSpec, present: tuple[str, ...]) -> tuple[pa.DataFrameSchema, dict]:
    """The sheet's pandera schema over its present columns, and check_number -> rule maps."""
    import pandera.pandas as pa  # imported on first use: it costs a third of a second

    columns, rules = {}, {}
    for column in spec.columns:
        if column.name not in present:
            continue
        all_rules = (*_type_rules(column), *column.rules)
        checks = [
            pa.Check(
                r.test if i < len(all_rules) - len(column.rules) else _guarded(r, column.kind),
                element_wise=True,
                name=r.code,
            )
            for i, r in enumerate(all_rules)
        ]
        rules[column.name] = all_rules
        columns[column.name] = pa.Column(
            object,
            checks=checks,
            nullable=not column.required,
            unique=column.unique,
            report_duplicates="exclude_first",
            required=False,
        )
    return pa.DataFrameSchema(columns, coerce=False), rules


@dataclass
class _Header:
    """The header row: its Excel row, each cell's name (None if blank), name -> column index."""

    row: int
    names: list[str | None]
    position: dict[str, int]


def _read_header(spec: SheetSpec, raw: RawSheet, errors: list[WorkbookError]) -> _Header:
    """The first non-empty row; duplicate names, unnamed columns with values and missing
    required columns are reported."""
    row, cells = raw.rows[0] if raw.rows else (1, [])
    header = _Header(row, [None if is_blank(h) else str(h).strip() for h in cells], {})
    for col, name in enumerate(header.names):
        if name is None:
            continue
        if name not in header.position:
            header.position[name] = col
            continue
        first = cell_name(row, header.position[name])
        errors.append(
            WorkbookError(
                "STRUCT-004",
                spec.name,
                row,
                name,
                name,
                f"Column {name!r} appears twice in the header (cells {first} and "
                f"{cell_name(row, col)})",
            )
        )
    data = raw.rows[1:]
    for col, name in enumerate(header.names):
        filled = [r for r, values in data if not is_blank(_at(values, col))]
        if name is None and filled:
            errors.append(
                WorkbookError(
                    "STRUCT-004",
                    spec.name,
                    row,
                    None,
                    None,
                    f"Column {column_letter(col)} has values (from row {filled[0]}) but no header; "
                    "name the column or clear it",
                )
            )
    errors.extend(
        WorkbookError(
            "STRUCT-002",
            spec.name,
            row,
            column,
            None,
            f"Sheet {spec.name!r} has no column {column!r} in its header row (row {row})",
        )
        for column in spec.column_names
        if column not in header.position
    )
    return header


def parse_table(spec: SheetSpec, raw: RawSheet) -> Table:
    """Header, columns and normalised cells of one table sheet, with the sheet's own errors."""
    errors: list[WorkbookError] = []
    header = _read_header(spec, raw, errors)
    data = raw.rows[1:]
    present = tuple(c for c in spec.column_names if c in header.position)
    kinds = {c.name: c.kind for c in spec.columns}

    def cell(row: int, values: list[Any], name: str) -> Any:
        col = header.position[name]
        return None if (row, col) in raw.blocked else normalise(kinds[name], _at(values, col))

    frame = pd.DataFrame(
        {name: [cell(row, values, name) for row, values in data] for name in present},
        index=pd.Index([row for row, _ in data], name="row"),
        dtype=object,
    )
    by_col = {col: name for name, col in header.position.items()}
    errors.extend(
        WorkbookError(i.code, spec.name, i.row, by_col.get(i.col), to_json(i.value), i.message)
        for i in raw.issues
    )
    errors += _run_schema(spec, frame, raw.blocked, header.position)
    errors += _unique_together(spec, frame)
    table = Table(spec, frame, errors)
    if spec.item_prefix:
        table.items, table.item_columns = _items(spec.item_prefix, header.names, data, raw)
    return table


def _at(values: list[Any], col: int) -> Any:
    return values[col] if col < len(values) else None


def _run_schema(
    spec: SheetSpec, frame: pd.DataFrame, blocked: set[tuple[int, int]], position: dict[str, int]
) -> list[WorkbookError]:
    """The pandera failure cases as coded errors (cells already in error are left out)."""
    import pandera.pandas as pa

    schema, rules = _schema(spec, tuple(frame.columns))
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    errors = []
    for case in cases.itertuples(index=False):
        column, row = case.column, case.index
        if row is None or pd.isna(row) or (int(row), position.get(column, -1)) in blocked:
            continue
        row = int(row)
        value = frame.at[row, column]
        if case.check == "not_nullable":
            errors.append(
                WorkbookError(
                    "NULL-001",
                    spec.name,
                    row,
                    column,
                    None,
                    f"{column} is empty; every {spec.name} row needs a {column}",
                )
            )
        elif case.check == "field_uniqueness":
            if value is None:
                continue
            first = frame.index[frame[column] == value][0]
            errors.append(
                WorkbookError(
                    "BUS-005",
                    spec.name,
                    row,
                    column,
                    to_json(value),
                    f"{column} {value!r} is already used in row {first}; it must be unique",
                )
            )
        elif isinstance(case.check_number, int | float) and not pd.isna(case.check_number):
            rule = rules[column][int(case.check_number)]
            errors.append(
                WorkbookError(
                    rule.code,
                    spec.name,
                    row,
                    column,
                    to_json(value),
                    rule.message.format(column=column, value=value),
                )
            )
    return errors


def _unique_together(spec: SheetSpec, frame: pd.DataFrame) -> list[WorkbookError]:
    errors = []
    for columns in spec.unique_together:
        if not set(columns) <= set(frame.columns):
            continue
        seen: dict[tuple, int] = {}
        for row, values in zip(
            frame.index, frame[list(columns)].itertuples(index=False), strict=True
        ):
            key = tuple(values)
            if any(v is None for v in key):
                continue
            if key in seen:
                pair = ", ".join(f"{c} {v!r}" for c, v in zip(columns, key, strict=True))
                errors.append(
                    WorkbookError(
                        "BUS-005",
                        spec.name,
                        int(row),
                        columns[-1],
                        to_json(key[-1]),
                        f"The combination {pair} is already used in row {seen[key]}; "
                        "it must be unique",
                    )
                )
            else:
                seen[key] = int(row)
    return errors


def _items(
    item_prefix: str, names: list[str | None], data: list[tuple[int, list[Any]]], raw: RawSheet
) -> tuple[dict[int, list[tuple[str, Any]]], list[str]]:
    """Groupings: ``<prefix><n>`` columns, in sheet order, as (column, text value) per row."""
    prefix = re.compile(rf"{re.escape(item_prefix)}\s*\d+")
    columns = [(c, n) for c, n in enumerate(names) if n and prefix.fullmatch(n)]
    items = {}
    for row, values in data:
        items[row] = [
            (name, normalise(Kind.TEXT, _at(values, col)))
            for col, name in columns
            if (row, col) not in raw.blocked and not is_blank(_at(values, col))
        ]
    return items, [name for _, name in columns]
