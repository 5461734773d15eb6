"""Rules beyond the prior system's intents: the gaps it left (prior-system.md §7 item 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from irp_dagster.workbook import validate_workbook

from .conftest import set_cell, where
from .test_intents import AT, DB, GR, MD, PF, PP, RT, copy_cell, edits


def plain_number(sheet: str, cell: str, value: float):
    """A number in a General-formatted cell (in a date-formatted cell Excel reads a date)."""

    def edit(wb):
        wb[sheet][cell] = value
        wb[sheet][cell].number_format = "General"

    return edit


CASES = [
    # cell types of table columns are checked (upstream declared them but never checked)
    ("limit_as_text", set_cell(RT, "D2", "lots"), [("TYPE-001", RT, 2, "Per-Risk Limit")]),
    ("date_as_number", plain_number(RT, "G2", 5), [("TYPE-001", RT, 2, "Inception Date")]),
    (
        "name_as_date",
        set_cell(PF, "C2", dt.datetime(2025, 1, 1)),
        [("TYPE-001", PF, 2, "Import File")],
    ),
    ("fractional_count", set_cell(RT, "Q2", 1.5), [("TYPE-001", RT, 2, "Reinstatements")]),
    # a date written as text is reported, not a crash
    ("date_as_text", set_cell(RT, "G2", "01/06/2025"), [("FMT-003", RT, 2, "Inception Date")]),
    (
        "impossible_iso_date",
        set_cell(RT, "H2", "2030-02-30"),
        [("FMT-003", RT, 2, "Expiration Date")],
    ),
    # ranges
    ("negative_premium", set_cell(RT, "P2", -1), [("RANGE-003", RT, 2, "Premium")]),
    ("negative_reinstatements", set_cell(RT, "Q2", -1), [("RANGE-001", RT, 2, "Reinstatements")]),
    ("zero_priority", set_cell(RT, "U2", 0), [("RANGE-004", RT, 2, "Inuring Priority")]),
    (
        "threshold_over_100",
        set_cell("GeoHaz Thresholds", "D5", 101),
        [("RANGE-002", "GeoHaz Thresholds", 5, "Threshold %")],
    ),
    # patterns are anchored at both ends
    ("version_with_suffix", set_cell(MD, "B4", "23abc"), [("FMT-002", MD, 4, "Hazard Version")]),
    (
        "database_with_space",
        set_cell(DB, "A2", "RM_EDM_202503_Quarterly CBAP"),
        [("FMT-004", DB, 2, "Database")],
    ),
    ("lowercase_flag", set_cell(PF, "D2", "y"), [("FMT-001", PF, 2, "Base Portfolio?")]),
    (
        "yes_flag_in_metadata",
        set_cell(MD, "B10", "Yes"),
        [("FMT-001", MD, 10, "Validate HD Model Versions?")],
    ),
    ("bad_date_value", set_cell(MD, "B1", "2025-03"), [("FMT-001", MD, 1, "Current Date Value")]),
    # null and types of Metadata values
    ("blank_text_metadata", set_cell(MD, "B12", "   "), [("NULL-002", MD, 12, "Cycle Type")]),
    (
        "float_where_int",
        set_cell(MD, "B7", 2.5),
        [("TYPE-002", MD, 7, "Wildfire HD Model Version")],
    ),
    (
        "duplicate_metadata_key",
        lambda wb: wb[MD].append(["Cycle Type", "Annual"]),
        [("STRUCT-004", MD, 13, "Cycle Type")],
    ),
    # null in a required table cell, uniqueness within a column of reference data
    ("missing_tag_1", set_cell(AT, "L5", None), [("NULL-001", AT, 5, "Tag 1")]),
    (
        "repeated_reference_value",
        copy_cell("Moody's Reference Data", "C2", "C3"),
        [("BUS-005", "Moody's Reference Data", 3, "Event Rate Schemes")],
    ),
    (
        "repeated_peril_product",
        edits(copy_cell(PP, "B2", "B4"), copy_cell(PP, "C2", "C4")),
        [("BUS-005", PP, 4, "Product Group")],
    ),
    # the analysis's portfolio belongs to the row's database (upstream never checked)
    (
        "portfolio_of_other_database",
        set_cell(AT, "A2", "RM_EDM_202503_Quarterly_USEQ"),
        [("BUS-006", AT, 2, "Portfolio")],
    ),
    (
        "unknown_database_in_analysis",
        set_cell(AT, "A2", "RM_EDM_202503_Quarterly_FAKE"),
        [("REF-001", AT, 2, "Database")],
    ),
    # groups: existence checked, items once, names distinct from analyses, no empty group
    ("group_refers_to_itself", copy_cell(GR, "A2", "C2"), [("REF-002", GR, 2, "Item2")]),
    ("item_listed_twice", copy_cell(GR, "B2", "C2"), [("BUS-005", GR, 2, "Item2")]),
    (
        "group_named_like_analysis",
        set_cell(GR, "A2", "CBHU_LT"),
        [
            # Products and Perils named the group under its old name
            ("REF-001", PP, 114, "Analysis Name"),
            ("BUS-007", GR, 2, "Group_Name"),
        ],
    ),
    (
        "group_without_items",
        edits(set_cell(GR, "B2", None), set_cell(GR, "C2", None)),
        [("NULL-003", GR, 2, "Item1")],
    ),
    (
        "portfolio_as_group_item",
        set_cell(GR, "B2", "USFL_Other_Clay_Home"),
        [("REF-003", GR, 2, "Item1")],
    ),
    ("item_as_number", set_cell(GR, "B2", dt.datetime(2025, 1, 1)), [("TYPE-001", GR, 2, "Item1")]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(mutate, change, expected) -> None:
    result = validate_workbook(mutate(change))
    assert where(result) == expected, result.errors_markdown()


def test_iso_text_date_and_numeric_date_value_are_accepted(mutate) -> None:
    result = validate_workbook(
        mutate(edits(set_cell(RT, "G2", "2001-02-03"), set_cell(MD, "B1", 202503)))
    )
    assert result.ok, result.errors_markdown()
    assert result.configuration["reinsurance_treaties"][0]["Inception Date"] == "2001-02-03"
    assert result.configuration["metadata"]["Current Date Value"] == "202503"


def test_several_faults_in_several_sheets_are_all_reported(mutate) -> None:
    change = edits(
        set_cell(MD, "B3", "x.y"),
        set_cell(DB, "B4", None),
        copy_cell(PF, "A5", "A6"),
        set_cell(RT, "N3", 101),
        set_cell(AT, "L7", None),
        set_cell(GR, "A9", None),
    )
    result = validate_workbook(mutate(change))
    assert where(result) == [
        ("FMT-002", MD, 3, "Geocode Version"),
        ("NULL-001", DB, 4, "Store in Data Bridge?"),
        ("BUS-005", PF, 6, "Portfolio"),
        ("RANGE-002", RT, 3, "% Share"),
        ("NULL-001", AT, 7, "Tag 1"),
        ("NULL-001", GR, 9, "Group_Name"),
    ]
    statuses = {sheet: r["status"] for sheet, r in result.report.items()}
    assert statuses["Products and Perils"] == "VALID" and statuses["Groupings"] == "ERROR"
    assert result.report["Portfolios"]["errors"] == 1


def test_cross_sheet_faults_are_all_reported_together(mutate) -> None:
    change = edits(
        set_cell(PF, "B2", "RM_EDM_202503_Quarterly_FAKE"),
        set_cell(AT, "D3", "FAKE"),
        set_cell(AT, "H4", "FAKE"),
        set_cell(GR, "B2", "FAKE"),
    )
    result = validate_workbook(mutate(change))
    assert sorted(where(result)) == sorted(
        [
            ("REF-001", PF, 2, "Database"),
            ("REF-004", AT, 3, "Analysis Profile"),
            ("REF-007", AT, 4, "Reinsurance Treaty 2"),
            ("REF-003", GR, 2, "Item1"),
        ]
    )


def test_cross_sheet_rules_wait_for_valid_sheets(mutate) -> None:
    """A broken foreign key is not reported while a sheet has its own errors."""
    change = edits(set_cell(AT, "B2", "FAKE"), set_cell(DB, "B2", "maybe"))
    assert where(validate_workbook(mutate(change))) == [("FMT-001", DB, 2, "Store in Data Bridge?")]
