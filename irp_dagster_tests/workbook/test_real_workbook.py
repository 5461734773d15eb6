"""The real ten-sheet workbook loads as VALID, into the shape the transformers consume."""

from __future__ import annotations

import hashlib
import json

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.transformers import transform


def test_real_workbook_is_valid_with_expected_counts(real_validation) -> None:
    v = real_validation
    assert v.ok, v.errors_markdown()
    assert v.errors == []
    c = v.configuration
    assert len(c["databases"]) == 7
    assert len(c["portfolios"]) == 70
    assert sum(p["Base Portfolio?"] == "Y" for p in c["portfolios"]) == 11
    assert len(c["reinsurance_treaties"]) == 3
    assert len(c["analysis_table"]) == 93
    assert len(c["groupings"]) == 96
    assert v.counts == {
        "Metadata": 12,
        "Databases": 7,
        "Portfolios": 70,
        "Reinsurance Treaties": 3,
        "GeoHaz Thresholds": 121,
        "Analysis Table": 93,
        "Groupings": 96,
        "Products and Perils": 264,
        "Moody's Reference Data": 75,
        "ExposureGroup <-> Portname": 7,
    }


def test_report_marks_the_ten_sheets_valid_and_ignores_extra_sheets(real_validation) -> None:
    report = real_validation.report
    assert {k: r["status"] for k, r in report.items()} == {
        **{k: "VALID" for k in real_validation.counts},
        "Validations": "SKIPPED",
    }
    assert report["Analysis Table"] == {"status": "VALID", "rows": 93, "errors": 0}


def test_identity_of_the_file(real_validation, real_workbook) -> None:
    assert real_validation.file_name == "valid_excel_configuration.xlsx"
    assert real_validation.content_hash == hashlib.sha256(real_workbook.read_bytes()).hexdigest()


def test_configuration_is_json_with_normalised_values(real_validation) -> None:
    c = json.loads(json.dumps(real_validation.configuration))
    assert c["metadata"] == {
        "Current Date Value": "202503",
        "EDM Data Version": "23.0.0",
        "Geocode Version": "23.0.0",
        "Hazard Version": "23.0.0",
        "DLM Model Version": 23,
        "Validate DLM Model Versions?": "Y",
        "Wildfire HD Model Version": 2,
        "SCS HD Model Version": 1,
        "Inland Flood HD Model Version": 1.2,
        "Validate HD Model Versions?": "Y",
        "Export RDM Name": "RM_RDM_202503_QEM_USAP",
        "Cycle Type": "Quarterly",
    }
    treaty = c["reinsurance_treaties"][0]
    assert treaty["Treaty Name"] == "XPR_1_95" and treaty["_row"] == 2
    assert treaty["Inception Date"] == "2000-01-01" and treaty["Expiration Date"] == "2030-12-31"
    assert treaty["Producer"] is None and treaty["% Place"] == 95
    analysis = c["analysis_table"][0]
    assert analysis["Reinsurance Treaty 3"] is None and analysis["Tag 1"]
    assert sum(a["Event Rate"] is None for a in c["analysis_table"]) == 10
    assert c["groupings"][0] == {
        "Group_Name": "202503_USST_Geico_HIP2_Group",
        "items": ["USST_Geico_75HIP2_High_Frq", "USST_Geico_75HIP2_Low_Frq"],
        "_row": 2,
    }
    assert max(len(g["items"]) for g in c["groupings"]) == 16
    assert set(c["moodys_reference_data"][0]) == {
        "Model Profiles",
        "Output Profiles",
        "Event Rate Schemes",
        "_row",
    }
    assert c["exposure_group_portname"][0] == {
        "ExposureGroup": "USHU_Hurricane_Full",
        "Portname": "USHU",
        "_row": 2,
    }
    assert len(c["products_and_perils"]) == 264 and len(c["geohaz_thresholds"]) == 121


def test_transformers_consume_the_loaded_configuration(real_validation) -> None:
    c = real_validation.configuration
    assert len(transform(BatchType.EDM_CREATION, c)) == 7
    assert len(transform(BatchType.PORTFOLIO_CREATION, c)) == 11
    assert len(transform(BatchType.ANALYSIS, c)) == 93
    assert len(transform(BatchType.GROUPING_ROLLUP, c)) == 8
    assert len(transform(BatchType.GROUPING, c)) == 88
    assert transform(BatchType.EDM_UPGRADE, c)[0].data["target_edm_version"] == "23"
