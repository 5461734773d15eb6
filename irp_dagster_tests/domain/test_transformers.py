"""Transformers: configuration -> job configurations, per prior-system §3."""

from __future__ import annotations

import pytest

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.transformers import transform

META = {
    "Current Date Value": "202603",
    "EDM Data Version": "22.0.0",
    "Geocode Version": "22.0.0",
    "Hazard Version": "22.0.0",
    "Export RDM Name": "RM_RDM_202603",
    "Cycle Type": "Quarterly",
}
CONFIG = {
    "metadata": META,
    "databases": [
        {"Database": "RM_EDM_202603_A", "Store in Data Bridge?": "Y", "_row": 2},
        {"Database": "RM_EDM_202603_B", "Store in Data Bridge?": "N", "_row": 3},
    ],
    "portfolios": [
        {
            "Portfolio": "PA",
            "Database": "RM_EDM_202603_A",
            "Import File": "FA",
            "Base Portfolio?": "Y",
            "_row": 2,
        },
        {
            "Portfolio": "PA_SUB",
            "Database": "RM_EDM_202603_A",
            "Import File": "FA",
            "Base Portfolio?": "N",
            "_row": 3,
        },
        {
            "Portfolio": "PB",
            "Database": "RM_EDM_202603_B",
            "Import File": "FB",
            "Base Portfolio?": "Y",
            "_row": 4,
        },
    ],
    "reinsurance_treaties": [
        {"Treaty Name": "T1", "Treaty Number": "T1", "_row": 2},
        {"Treaty Name": "T2", "Treaty Number": "T2", "_row": 3},
    ],
    "analysis_table": [
        {
            "Database": "RM_EDM_202603_A",
            "Portfolio": "PA",
            "Analysis Name": "A1",
            "Reinsurance Treaty 1": "T1",
            "Reinsurance Treaty 2": "T2",
            "Tag 1": "x",
            "_row": 2,
        },
        {
            "Database": "RM_EDM_202603_B",
            "Portfolio": "PB",
            "Analysis Name": "A2",
            "Reinsurance Treaty 1": "T1",
            "Reinsurance Treaty 2": None,
            "Tag 1": "y",
            "_row": 3,
        },
    ],
    "groupings": [
        {"Group_Name": "G1", "items": ["A1", "A2"], "_row": 2},
        {"Group_Name": "G2", "items": ["A2"], "_row": 3},
        {"Group_Name": "G3", "items": ["G1", "G2"], "_row": 4},
        {"Group_Name": "G4", "items": ["G3", "A1"], "_row": 5},
    ],
}


@pytest.mark.parametrize("batch_type", list(BatchType))
def test_empty_configuration_gives_no_jobs(batch_type) -> None:
    assert transform(batch_type, {"metadata": {}}) == []


def test_one_edm_job_per_database_row() -> None:
    specs = transform(BatchType.EDM_CREATION, CONFIG)
    assert [s.key for s in specs] == ["RM_EDM_202603_A", "RM_EDM_202603_B"]
    assert specs[0].data["metadata"] == META
    assert "_row" not in specs[0].data


def test_edm_upgrade_targets_the_major_version() -> None:
    specs = transform(BatchType.EDM_UPGRADE, CONFIG)
    assert {s.data["target_edm_version"] for s in specs} == {"22"}


@pytest.mark.parametrize(
    "batch_type",
    [
        BatchType.DATA_EXTRACTION,
        BatchType.PORTFOLIO_CREATION,
        BatchType.MRI_IMPORT,
        BatchType.GEOHAZ,
        BatchType.PORTFOLIO_MAPPING,
    ],
)
def test_base_portfolio_types_skip_sub_portfolios(batch_type) -> None:
    assert [s.key for s in transform(batch_type, CONFIG)] == ["PA", "PB"]


def test_extraction_and_import_agree_on_file_names() -> None:
    extraction = transform(BatchType.DATA_EXTRACTION, CONFIG)[0].data
    mri = transform(BatchType.MRI_IMPORT, CONFIG)[0].data
    assert extraction["accounts_import_file"] == "Modeling_202603_Moodys_FA_Account.csv"
    assert mri["locations_import_file"] == extraction["locations_import_file"]
    assert extraction["cycle_type"] == "Quarterly"


def test_geohaz_version_is_major_minor() -> None:
    assert transform(BatchType.GEOHAZ, CONFIG)[0].data["geocode_version"] == "22.0"


def test_treaty_pairs_are_distinct_and_sorted() -> None:
    keys = [s.key for s in transform(BatchType.TREATY_CREATION, CONFIG)]
    assert keys == ["T1@RM_EDM_202603_A", "T1@RM_EDM_202603_B", "T2@RM_EDM_202603_A"]


def test_analysis_rows_carry_treaties_and_tags() -> None:
    first, second = transform(BatchType.ANALYSIS, CONFIG)
    assert first.data["treaties"] == ["T1", "T2"] and second.data["treaties"] == ["T1"]
    assert first.data["tags"] == ["x"]


def test_groups_split_between_grouping_and_rollup() -> None:
    assert [s.key for s in transform(BatchType.GROUPING, CONFIG)] == ["G1", "G2"]
    rollups = transform(BatchType.GROUPING_ROLLUP, CONFIG)
    assert [s.key for s in rollups] == ["G3", "G4"]
    assert rollups[1].data["group_names"] == ["G3"]
    assert rollups[1].data["analysis_edm_map"] == {"A1": "RM_EDM_202603_A"}


def test_rdm_export_analyses_then_groups_first_is_seed_no_metadata() -> None:
    specs = transform(BatchType.RDM_EXPORT, CONFIG)
    assert [s.key for s in specs] == ["A1", "A2", "G1", "G2", "G3", "G4"]
    assert [s.data["is_seed_job"] for s in specs] == [True] + [False] * 5
    assert [s.data["is_group"] for s in specs] == [False, False, True, True, True, True]
    assert all("metadata" not in s.data for s in specs)
    assert {s.data["rdm_name"] for s in specs} == {"RM_RDM_202603"}


def test_rdm_export_without_rdm_name_is_empty() -> None:
    config = {**CONFIG, "metadata": {**META, "Export RDM Name": None}}
    assert transform(BatchType.RDM_EXPORT, config) == []


def test_reference_workbook_gives_the_prior_systems_job_counts() -> None:
    """The real workbook (7 databases, 11 base portfolios, 93 analyses, 96 groups of which 8
    rollups): 465 jobs, as the prior system's transformers would make them."""
    from irp_dagster.workbook import validate_workbook
    from irp_dagster_tests.conftest import REAL_WORKBOOK

    config = validate_workbook(REAL_WORKBOOK).configuration
    counts = {str(t): len(transform(t, config)) for t in BatchType}
    assert counts == {
        "data_extraction": 11,
        "edm_creation": 7,
        "portfolio_creation": 11,
        "mri_import": 11,
        "treaty_creation": 18,
        "edm_upgrade": 7,
        "geohaz": 11,
        "portfolio_mapping": 11,
        "analysis": 93,
        "grouping": 88,
        "grouping_rollup": 8,
        "rdm_export": 93 + 96,
    }
