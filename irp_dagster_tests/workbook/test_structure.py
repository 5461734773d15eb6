"""The file and its sheets: missing, unreadable, missing sheets, columns and Metadata keys."""

from __future__ import annotations

from irp_dagster.workbook import validate_workbook

from .conftest import set_cell, where


def test_missing_file_is_a_struct_error_not_an_exception(tmp_path) -> None:
    v = validate_workbook(tmp_path / "nope.xlsx")
    assert not v.ok and where(v) == [("STRUCT-005", None, None, None)]
    assert "does not exist" in v.errors[0].message
    assert v.content_hash == "" and v.file_name == "nope.xlsx"
    assert all(r["status"] == "SKIPPED" for r in v.report.values())


def test_corrupt_file_is_reported(tmp_path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    v = validate_workbook(path)
    assert where(v) == [("STRUCT-005", None, None, None)]
    assert v.content_hash


def test_every_missing_sheet_is_reported(mutate) -> None:
    def drop(wb):
        del wb["Databases"]
        wb["Groupings"].title = "groupings "

    v = validate_workbook(mutate(drop))
    assert [(c, s) for c, s, _, _ in where(v)] == [
        ("STRUCT-001", "Databases"),
        ("STRUCT-001", "Groupings"),
    ]
    assert "found 'groupings '" in v.errors[1].message
    assert v.report["Databases"]["status"] == "MISSING"


def test_missing_column_is_reported_with_its_name(mutate) -> None:
    v = validate_workbook(mutate(set_cell("Databases", "B1", "Store?")))
    assert where(v) == [("STRUCT-002", "Databases", 1, "Store in Data Bridge?")]
    assert v.report["Databases"] == {"status": "ERROR", "rows": 7, "errors": 1}


def test_missing_metadata_key(mutate) -> None:
    v = validate_workbook(mutate(lambda wb: wb["Metadata"].delete_rows(2)))
    assert where(v) == [("STRUCT-003", "Metadata", None, "EDM Data Version")]


def test_metadata_value_rules(mutate) -> None:
    def edit(wb):
        ws = wb["Metadata"]
        ws["B2"] = None  # EDM Data Version
        ws["B3"] = "23abc"  # Geocode Version: not end-anchored upstream
        ws["B5"] = "abc"  # DLM Model Version
        ws["B6"] = True  # Validate DLM Model Versions?

    v = validate_workbook(mutate(edit))
    assert where(v) == [
        ("NULL-002", "Metadata", 2, "EDM Data Version"),
        ("FMT-002", "Metadata", 3, "Geocode Version"),
        ("TYPE-002", "Metadata", 5, "DLM Model Version"),
        ("TYPE-002", "Metadata", 6, "Validate DLM Model Versions?"),
    ]


def test_error_table_escapes_pipes_and_round_trips_to_dict(mutate) -> None:
    v = validate_workbook(mutate(set_cell("Databases", "A2", "RM|EDM")))
    assert v.errors[0].to_dict() == {
        "code": "FMT-004",
        "sheet": "Databases",
        "row": 2,
        "column": "Database",
        "value": "RM|EDM",
        "message": v.errors[0].message,
    }
    line = v.errors_markdown().splitlines()[2]
    assert line.startswith("| FMT-004 | Databases | 2 | Database | RM\\|EDM |")
