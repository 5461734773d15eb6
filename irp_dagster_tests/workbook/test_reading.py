"""What a real file can hold besides values: formulas, merged or hidden rows, extra sheets,
trailing empty rows. Each is reported clearly or handled, never a crash or a silent NaN."""

from __future__ import annotations

from irp_dagster.workbook import validate_workbook

from .conftest import set_cell, where
from .test_intents import AT, DB, GR, MD, PF, edits


def test_formula_without_saved_value_is_reported_not_read_as_empty(mutate) -> None:
    # openpyxl writes formulas without a cached value, like any tool that never ran Excel
    change = edits(set_cell(DB, "B2", '=IF(1=1,"Y","N")'), set_cell(MD, "B12", "=A1"))
    result = validate_workbook(mutate(change))
    assert where(result) == [
        ("TYPE-003", MD, 12, "Cycle Type"),
        ("TYPE-003", DB, 2, "Store in Data Bridge?"),
    ]
    assert "=IF(1=1" in result.errors[1].message and "no saved value" in result.errors[1].message


def test_merged_cells_are_reported(mutate) -> None:
    result = validate_workbook(mutate(lambda wb: wb[PF].merge_cells("B2:B3")))
    assert where(result) == [("STRUCT-004", PF, 2, "Database")]
    assert "B2:B3" in result.errors[0].message


def test_merged_header_cells_are_reported(mutate) -> None:
    result = validate_workbook(mutate(lambda wb: wb[DB].merge_cells("A1:B1")))
    assert where(result) == [
        ("STRUCT-004", DB, 1, None),  # column B has values but no header any more
        ("STRUCT-002", DB, 1, "Store in Data Bridge?"),
        ("STRUCT-004", DB, 1, "Database"),  # the merged range itself
    ]
    assert "A1:B1" in result.errors[2].message


def test_hidden_rows_trailing_empty_rows_and_extra_sheets_are_handled(
    mutate, real_validation
) -> None:
    def change(wb):
        wb[DB].row_dimensions[1].hidden = True
        wb[PF].row_dimensions[5].hidden = True
        for row in range(72, 90):
            wb[PF].cell(row, 1).value = "  "
            wb[PF].cell(row, 2).number_format = "0.00"
        wb.create_sheet("Scratch")["A1"] = "notes"

    result = validate_workbook(mutate(change))
    assert result.ok, result.errors_markdown()
    assert result.counts == real_validation.counts
    assert result.configuration == real_validation.configuration
    assert result.report["Scratch"]["status"] == "SKIPPED"


def test_blank_rows_keep_excel_row_numbers(mutate) -> None:
    def change(wb):
        wb[DB].insert_rows(1)  # the header moves to row 2
        wb[DB].insert_rows(5)  # a blank row between databases

    result = validate_workbook(mutate(change))
    assert result.ok, result.errors_markdown()
    rows = [d["_row"] for d in result.configuration["databases"]]
    assert rows == [3, 4, 6, 7, 8, 9, 10]


def test_header_problems(mutate) -> None:
    def change(wb):
        wb[AT]["Q1"] = "Tag 1"  # a second Tag 1 column
        wb[GR]["AZ3"] = "stray"  # a value right of the last header

    result = validate_workbook(mutate(change))
    assert where(result) == [("STRUCT-004", AT, 1, "Tag 1"), ("STRUCT-004", GR, 1, None)]
    assert "AZ" in result.errors[1].message and "row 3" in result.errors[1].message


def test_headers_are_matched_without_surrounding_spaces(mutate) -> None:
    result = validate_workbook(mutate(set_cell(DB, "A1", " Database ")))
    assert result.ok, result.errors_markdown()


def test_an_empty_required_sheet_lists_its_missing_columns(mutate) -> None:
    def change(wb):
        del wb["ExposureGroup <-> Portname"]
        wb.create_sheet("ExposureGroup <-> Portname")

    result = validate_workbook(mutate(change))
    assert where(result) == [
        ("STRUCT-002", "ExposureGroup <-> Portname", 1, "ExposureGroup"),
        ("STRUCT-002", "ExposureGroup <-> Portname", 1, "Portname"),
    ]
