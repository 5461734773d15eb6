"""Rules across sheets, run once every sheet is valid on its own.

Foreign keys (REF-001); an analysis's portfolio belongs to the row's database (BUS-006);
profiles and event rates are listed in Moody's Reference Data (REF-004/005/006); treaties are
defined (REF-007); a group item is an analysis or a group defined in an earlier row
(REF-002/003); a group is not named like an analysis (BUS-007); every database has a base
portfolio (BUS-001).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irp_dagster.workbook import spec as S
from irp_dagster.workbook.model import WorkbookError
from irp_dagster.workbook.tables import Table

Tables = dict[str, Table]
#: portfolio name -> (Excel row, Portfolios row)
Portfolios = dict[str, tuple[int, dict[str, Any]]]


def _rows(tables: Tables, spec: S.SheetSpec) -> list[tuple[int, dict[str, Any]]]:
    frame = tables[spec.name].frame
    return [
        (int(r), values) for r, values in zip(frame.index, frame.to_dict("records"), strict=True)
    ]


def _foreign_key(
    tables: Tables, spec: S.SheetSpec, column: str, targets: set, target: str
) -> list[WorkbookError]:
    return [
        WorkbookError(
            "REF-001",
            spec.name,
            row,
            column,
            values[column],
            f"{column} {values[column]!r} is not defined in {target}",
        )
        for row, values in _rows(tables, spec)
        if values.get(column) is not None and values[column] not in targets
    ]


def cross_sheet(tables: Tables) -> list[WorkbookError]:
    """Every cross-sheet rule, over sheets that are each valid on their own."""
    column = _column_values(tables)
    databases = column(S.DATABASES, "Database")
    portfolios = {v["Portfolio"]: (row, v) for row, v in _rows(tables, S.PORTFOLIOS)}
    analyses = column(S.ANALYSIS_TABLE, "Analysis Name")
    groups = column(S.GROUPINGS, "Group_Name")
    errors = _foreign_key(tables, S.PORTFOLIOS, "Database", databases, "Databases")
    errors += _foreign_key(
        tables,
        S.GEOHAZ_THRESHOLDS,
        "Import File",
        column(S.PORTFOLIOS, "Import File"),
        "Portfolios (column Import File)",
    )
    errors += _analysis_rules(tables, databases, portfolios)
    errors += _foreign_key(
        tables,
        S.PRODUCTS_AND_PERILS,
        "Analysis Name",
        analyses | groups,
        "Analysis Table or Groupings",
    )
    errors += _group_rules(tables, analyses)
    errors += _base_portfolios(tables, portfolios)
    return errors


def _column_values(tables: Tables) -> Callable[[S.SheetSpec, str], set]:
    def values(spec: S.SheetSpec, column: str) -> set:
        frame = tables[spec.name].frame
        return set(frame[column].dropna()) if column in frame else set()

    return values


def _analysis_rules(tables: Tables, databases: set, portfolios: Portfolios) -> list[WorkbookError]:
    sheet = S.ANALYSIS_TABLE.name
    column = _column_values(tables)
    listed = {
        "Analysis Profile": (
            "REF-004",
            column(S.MOODYS_REFERENCE_DATA, "Model Profiles"),
            "Model Profiles",
        ),
        "Output Profile": (
            "REF-005",
            column(S.MOODYS_REFERENCE_DATA, "Output Profiles"),
            "Output Profiles",
        ),
        "Event Rate": (
            "REF-006",
            column(S.MOODYS_REFERENCE_DATA, "Event Rate Schemes"),
            "Event Rate Schemes",
        ),
    }
    treaties = column(S.REINSURANCE_TREATIES, "Treaty Name")
    errors = []
    for row, v in _rows(tables, S.ANALYSIS_TABLE):
        database, portfolio = v["Database"], v["Portfolio"]
        if database not in databases:
            errors.append(
                WorkbookError(
                    "REF-001",
                    sheet,
                    row,
                    "Database",
                    database,
                    f"Database {database!r} is not defined in Databases",
                )
            )
        if portfolio not in portfolios:
            errors.append(
                WorkbookError(
                    "REF-001",
                    sheet,
                    row,
                    "Portfolio",
                    portfolio,
                    f"Portfolio {portfolio!r} is not defined in Portfolios",
                )
            )
        elif _other_database(portfolios[portfolio][1]["Database"], database, databases):
            owner_row, owner = portfolios[portfolio]
            errors.append(
                WorkbookError(
                    "BUS-006",
                    sheet,
                    row,
                    "Portfolio",
                    portfolio,
                    f"Portfolio {portfolio!r} belongs to database {owner['Database']!r} "
                    f"(Portfolios row {owner_row}), not to {database!r}",
                )
            )
        for name, (code, values, list_name) in listed.items():
            if v.get(name) is not None and v[name] not in values:
                errors.append(
                    WorkbookError(
                        code,
                        sheet,
                        row,
                        name,
                        v[name],
                        f"{name} {v[name]!r} is not listed in Moody's Reference Data "
                        f"(column {list_name})",
                    )
                )
        for name in S.TREATY_COLUMNS:
            if v.get(name) is not None and v[name] not in treaties:
                errors.append(
                    WorkbookError(
                        "REF-007",
                        sheet,
                        row,
                        name,
                        v[name],
                        f"{name} {v[name]!r} is not defined in Reinsurance Treaties",
                    )
                )
    return errors


def _other_database(owner: str, database: str, databases: set) -> bool:
    """The portfolio's database differs from the row's (both defined; else REF-001 says so)."""
    return owner != database and owner in databases and database in databases


def _group_rules(tables: Tables, analyses: set) -> list[WorkbookError]:
    sheet = S.GROUPINGS.name
    table = tables[sheet]
    later = {name: int(row) for row, name in table.frame["Group_Name"].items()}
    defined: set[str] = set()
    errors = []
    for row, name in table.frame["Group_Name"].items():
        row = int(row)
        if name in analyses:
            errors.append(
                WorkbookError(
                    "BUS-007",
                    sheet,
                    row,
                    "Group_Name",
                    name,
                    f"Group {name!r} has the name of an analysis; group and analysis names must "
                    "differ",
                )
            )
        for column, item in table.items.get(row, []):
            if item in analyses or item in defined:
                continue
            if item in later:
                where = "itself" if item == name else f"group {item!r} of row {later[item]}"
                errors.append(
                    WorkbookError(
                        "REF-002",
                        sheet,
                        row,
                        column,
                        item,
                        f"Group {name!r} refers to {where}; a group may only contain groups "
                        "defined in earlier rows",
                    )
                )
            else:
                errors.append(
                    WorkbookError(
                        "REF-003",
                        sheet,
                        row,
                        column,
                        item,
                        f"Item {item!r} of group {name!r} is neither an analysis of the Analysis "
                        "Table nor a group defined in an earlier row",
                    )
                )
        defined.add(name)
    return errors


def _base_portfolios(tables: Tables, portfolios: Portfolios) -> list[WorkbookError]:
    with_base = {v["Database"] for _, v in portfolios.values() if v["Base Portfolio?"] == "Y"}
    return [
        WorkbookError(
            "BUS-001",
            S.DATABASES.name,
            row,
            "Database",
            v["Database"],
            f"Database {v['Database']!r} has no base portfolio; flag at least one of its "
            "portfolios with Base Portfolio? = Y",
        )
        for row, v in _rows(tables, S.DATABASES)
        if v["Database"] not in with_base
    ]
