"""Row rules of single sheets, run with each sheet's schema: a treaty expires after its
inception (BUS-002); a group has items, each listed once and each a name (NULL-003, BUS-005,
TYPE-001).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from irp_dagster.workbook import spec as S
from irp_dagster.workbook.cells import to_json
from irp_dagster.workbook.model import WorkbookError
from irp_dagster.workbook.tables import Table


def treaty_dates(table: Table) -> list[WorkbookError]:
    frame = table.frame
    if not {"Inception Date", "Expiration Date"} <= set(frame.columns):
        return []
    errors = []
    for row, name, start, end in zip(
        frame.index,
        frame.get("Treaty Name", [None] * len(frame)),
        frame["Inception Date"],
        frame["Expiration Date"],
        strict=True,
    ):
        if _is_date(start) and _is_date(end) and _day(end) <= _day(start):
            errors.append(
                WorkbookError(
                    "BUS-002",
                    S.REINSURANCE_TREATIES.name,
                    int(row),
                    "Expiration Date",
                    to_json(end),
                    f"Treaty {name!r} expires on {_day(end)}, which is not after its inception "
                    f"on {_day(start)}",
                )
            )
    return errors


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date)


def _day(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def group_items(table: Table) -> list[WorkbookError]:
    sheet = S.GROUPINGS.name
    errors = []
    if not table.item_columns:
        return [
            WorkbookError(
                "STRUCT-002",
                sheet,
                None,
                "Item1",
                None,
                "Sheet 'Groupings' has no item columns (Item1, Item2, ...) after Group_Name",
            )
        ]
    names = table.frame["Group_Name"].to_dict() if "Group_Name" in table.frame else {}
    for row, items in table.items.items():
        group = names.get(row)
        if not items and group is not None:
            errors.append(
                WorkbookError(
                    "NULL-003",
                    sheet,
                    row,
                    "Item1",
                    None,
                    f"Group {group!r} has no items; list its analyses or groups in Item1, "
                    "Item2, ...",
                )
            )
        seen: dict[str, str] = {}
        for column, item in items:
            if not isinstance(item, str):
                errors.append(
                    WorkbookError(
                        "TYPE-001",
                        sheet,
                        row,
                        column,
                        to_json(item),
                        f"{column} must be the name of an analysis or group, not {item!r}",
                    )
                )
            elif item in seen:
                errors.append(
                    WorkbookError(
                        "BUS-005",
                        sheet,
                        row,
                        column,
                        item,
                        f"Item {item!r} is already listed in {seen[item]} of group {group!r}",
                    )
                )
            else:
                seen[item] = column
    return errors


SHEET_RULES = {
    S.REINSURANCE_TREATIES.name: treaty_dates,
    S.GROUPINGS.name: group_items,
}
