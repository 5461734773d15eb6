"""The 33 negative workbooks of the prior system (prior-system.md §4), one intent each.

Every case copies the real workbook, makes the intended change and asserts the exact errors:
code, sheet, Excel row and column. Unlike upstream, no case is masked by a stale template or a
formula without a value, and every fault of a stage is reported.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from irp_dagster.workbook import validate_workbook

from .conftest import set_cell, where

DB, PF, RT, GH, AT, GR, PP = (
    "Databases",
    "Portfolios",
    "Reinsurance Treaties",
    "GeoHaz Thresholds",
    "Analysis Table",
    "Groupings",
    "Products and Perils",
)
MD = "Metadata"
REQUIRED = [
    "Metadata",
    DB,
    PF,
    RT,
    GH,
    AT,
    GR,
    PP,
    "Moody's Reference Data",
    "ExposureGroup <-> Portname",
]


def edits(*changes):
    def edit(wb: openpyxl.Workbook) -> None:
        for change in changes:
            change(wb)

    return edit


def copy_cell(sheet: str, source: str, target: str):
    def edit(wb):
        wb[sheet][target] = wb[sheet][source].value

    return edit


def drop_sheet(name: str):
    def edit(wb):
        del wb[name]

    return edit


def no_base_portfolio(wb) -> None:
    ws = wb[PF]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "RM_EDM_202503_Quarterly_CBAP":
            row[3].value = "N"


def only_unrelated_sheets(wb) -> None:
    keep = wb.create_sheet("Notes")
    keep["A1"] = "nothing to see"
    for name in list(wb.sheetnames):
        if name != "Notes":
            del wb[name]


INTENTS = [
    ("missing_sheet", drop_sheet(DB), [("STRUCT-001", DB, None, None)]),
    (
        "missing_columns",
        lambda wb: wb[DB].delete_cols(2),
        [("STRUCT-002", DB, 1, "Store in Data Bridge?")],
    ),
    (
        "missing_metadata_key",
        lambda wb: wb[MD].delete_rows(2),
        [("STRUCT-003", MD, None, "EDM Data Version")],
    ),
    ("wrong_type_metadata", set_cell(MD, "B5", "abc"), [("TYPE-002", MD, 5, "DLM Model Version")]),
    ("wrong_type_percentage", set_cell(GH, "C2", "x"), [("TYPE-001", GH, 2, "% of Grand Total")]),
    ("null_required", set_cell(DB, "B3", None), [("NULL-001", DB, 3, "Store in Data Bridge?")]),
    ("null_portfolio", set_cell(PF, "A2", None), [("NULL-001", PF, 2, "Portfolio")]),
    ("null_metadata", set_cell(MD, "B2", None), [("NULL-002", MD, 2, "EDM Data Version")]),
    ("duplicate_database", copy_cell(DB, "A2", "A3"), [("BUS-005", DB, 3, "Database")]),
    ("duplicate_portfolio", copy_cell(PF, "A2", "A3"), [("BUS-005", PF, 3, "Portfolio")]),
    ("duplicate_analysis", copy_cell(AT, "C2", "C3"), [("BUS-005", AT, 3, "Analysis Name")]),
    (
        "duplicate_treaty",
        edits(copy_cell(RT, "A2", "A3"), copy_cell(RT, "B2", "B3")),
        [("BUS-005", RT, 3, "Treaty Name"), ("BUS-005", RT, 3, "Treaty Number")],
    ),
    (
        "bad_database_pattern",
        set_cell(DB, "A2", "BAD_EDM_202503_Quarterly_CBAP"),
        [("FMT-004", DB, 2, "Database")],
    ),
    ("bad_yes_no", set_cell(DB, "B2", True), [("TYPE-001", DB, 2, "Store in Data Bridge?")]),
    ("bad_version_format", set_cell(MD, "B2", "v1"), [("FMT-002", MD, 2, "EDM Data Version")]),
    ("bad_treaty_type", set_cell(RT, "C2", "BAD"), [("FMT-001", RT, 2, "Type")]),
    ("bad_rdm_name", set_cell(MD, "B11", "My RDM"), [("FMT-001", MD, 11, "Export RDM Name")]),
    ("percentage_over_100", set_cell(RT, "L2", 150), [("RANGE-002", RT, 2, "% Covered")]),
    ("percentage_negative", set_cell(RT, "L2", -5), [("RANGE-002", RT, 2, "% Covered")]),
    (
        "multiple_percentages_invalid",
        edits(set_cell(RT, "L2", 120), set_cell(RT, "M3", -5)),
        [("RANGE-002", RT, 2, "% Covered"), ("RANGE-002", RT, 3, "% Place")],
    ),
    (
        "broken_fk_database",
        set_cell(PF, "B2", "RM_EDM_202503_Quarterly_FAKE"),
        [("REF-001", PF, 2, "Database")],
    ),
    ("broken_fk_portfolio", set_cell(AT, "B2", "FAKE"), [("REF-001", AT, 2, "Portfolio")]),
    ("broken_fk_import_file", set_cell(GH, "B2", "FAKE"), [("REF-001", GH, 2, "Import File")]),
    ("missing_model_profile", set_cell(AT, "D2", "FAKE"), [("REF-004", AT, 2, "Analysis Profile")]),
    ("missing_output_profile", set_cell(AT, "E2", "FAKE"), [("REF-005", AT, 2, "Output Profile")]),
    ("missing_event_rate", set_cell(AT, "F2", "FAKE"), [("REF-006", AT, 2, "Event Rate")]),
    (
        "missing_treaty_reference",
        set_cell(AT, "G2", "FAKE"),
        [("REF-007", AT, 2, "Reinsurance Treaty 1")],
    ),
    (
        "broken_products_reference",
        set_cell(PP, "A2", "FAKE"),
        [("REF-001", PP, 2, "Analysis Name")],
    ),
    ("groupings_invalid_item", set_cell(GR, "B2", "FAKE"), [("REF-003", GR, 2, "Item1")]),
    ("groupings_forward_ref", copy_cell(GR, "A3", "B2"), [("REF-002", GR, 2, "Item1")]),
    ("no_base_portfolio", no_base_portfolio, [("BUS-001", DB, 2, "Database")]),
    (
        "treaty_date_order",
        set_cell(RT, "H2", dt.datetime(1999, 12, 31)),
        [("BUS-002", RT, 2, "Expiration Date")],
    ),
    (
        "multiple_sheets",
        edits(lambda wb: setattr(wb[PF], "title", "Portfolio"), set_cell(DB, "B2", "maybe")),
        [("STRUCT-001", PF, None, None), ("FMT-001", DB, 2, "Store in Data Bridge?")],
    ),
    (
        "invalid_excel_configuration",
        only_unrelated_sheets,
        [("STRUCT-001", name, None, None) for name in REQUIRED],
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [i[1:] for i in INTENTS], ids=[i[0] for i in INTENTS]
)
def test_intent(mutate, change, expected) -> None:
    result = validate_workbook(mutate(change))
    assert not result.ok
    assert where(result) == expected, result.errors_markdown()
    assert all(
        e.message.strip() and e.code[:3] in "STR TYP NUL REF BUS FMT RAN" for e in result.errors
    )
