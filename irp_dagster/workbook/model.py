"""The result types of workbook validation and the catalogue of error codes.

Codes follow the prior system's catalogue (prior-system.md §4): STRUCT (layout), TYPE (cell
types), NULL (empty required values), FMT (patterns), RANGE (numeric bounds), REF (references
between sheets and to Moody's) and BUS (business rules). Every error names its sheet, Excel row,
column and offending value, so an operator can find the cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: code -> what it means (the message of each error is a full sentence about its cell)
ERROR_CODES: dict[str, str] = {
    "STRUCT-001": "A required sheet is missing",
    "STRUCT-002": "A required column is missing",
    "STRUCT-003": "A required Metadata key is missing",
    "STRUCT-004": "The sheet layout cannot be read (header row, merged cells, duplicate keys)",
    "STRUCT-005": "The workbook file is missing or is not a readable .xlsx file",
    "TYPE-001": "A cell holds the wrong type of value for its column",
    "TYPE-002": "A Metadata value has the wrong type",
    "TYPE-003": "A formula cell has no saved value",
    "NULL-001": "A required cell is empty",
    "NULL-002": "A Metadata value is empty",
    "NULL-003": "A group has no items",
    "REF-001": "A value refers to a row that does not exist in another sheet",
    "REF-002": "A group item names itself or a group defined in a later row",
    "REF-003": "A group item is neither an analysis nor a previously defined group",
    "REF-004": "An Analysis Profile is not listed in Moody's Reference Data",
    "REF-005": "An Output Profile is not listed in Moody's Reference Data",
    "REF-006": "An Event Rate is not listed in Moody's Reference Data",
    "REF-007": "A Reinsurance Treaty column names an undefined treaty",
    "REF-008": "A model profile does not exist at Moody's",
    "REF-009": "An output profile does not exist at Moody's",
    "REF-010": "An event rate scheme does not exist at Moody's",
    "REF-011": "A reference could not be checked at Moody's",
    "BUS-001": "A database has no base portfolio",
    "BUS-002": "A treaty expires on or before its inception",
    "BUS-005": "A value that must be unique is repeated",
    "BUS-006": "An analysis portfolio belongs to another database",
    "BUS-007": "A group has the name of an analysis",
    "BUS-008": "An EDM of the workbook already exists at Moody's",
    "BUS-009": "The export RDM already exists at Moody's",
    "FMT-001": "A value does not match its required pattern",
    "FMT-002": "A version is not of the form X, X.Y or X.Y.Z",
    "FMT-003": "A date is written as text or is not a valid date",
    "FMT-004": "A database name does not match (RM|RMS|TEST)_EDM_YYYYMM_<name>",
    "RANGE-001": "A number is out of its allowed range",
    "RANGE-002": "A percentage is not between 0 and 100",
    "RANGE-003": "An amount is negative",
    "RANGE-004": "A value must be a positive integer",
}


@dataclass(frozen=True)
class WorkbookError:
    """One problem with one cell (or sheet): where it is and what is wrong, as a sentence."""

    code: str
    sheet: str | None
    row: int | None
    column: str | None
    value: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WorkbookValidation:
    """The outcome of :func:`validate_workbook`: ``ok`` when ``errors`` is empty."""

    ok: bool
    errors: list[WorkbookError]
    configuration: dict[str, Any]
    report: dict[str, dict[str, Any]]
    counts: dict[str, int]
    content_hash: str
    file_name: str

    def errors_markdown(self) -> str:
        """The errors as a markdown table (code | sheet | row | column | value | message)."""
        lines = ["| code | sheet | row | column | value | message |", "|---|---|---|---|---|---|"]
        for e in self.errors:
            cells = [e.code, e.sheet, e.row, e.column, e.value, e.message]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        return "\n".join(lines)


def _md(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")
