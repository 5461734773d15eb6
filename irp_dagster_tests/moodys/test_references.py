"""The workbook's Moody's reference checks against the mock over HTTP."""

from __future__ import annotations

import uuid

from irp_dagster.moodys.references import MoodysReferenceChecker
from irp_dagster.workbook import validate_workbook, write_sample_workbook


def _create_edm(mock_server, client, name: str) -> None:
    """Create an EDM at the mock and let its job finish."""
    set_id = client.ensure_exposure_set(name, str(uuid.uuid4()))
    client.submit(
        f"/platform/riskdata/v1/exposuresets/{set_id}/exposures",
        {"exposureName": name, "serverId": client.find_dataserver_id("databridge-1")},
        str(uuid.uuid4()),
    )
    mock_server.state.advance(3600)


def test_profiles_and_schemes_are_found_by_exact_name(moodys_client) -> None:
    checker = MoodysReferenceChecker(moodys_client)
    assert checker.model_profile_exists("DLM FLHU v25")
    assert not checker.model_profile_exists("DLM FLHU v2")
    assert checker.output_profile_exists("Cycle_Standard_Output")
    assert not checker.output_profile_exists("No_Such_Output")
    assert checker.event_rate_scheme_exists("RMS 2025 Long Term Event Rates")
    assert not checker.event_rate_scheme_exists("RMS 1999 Rates")


def test_an_existing_edm_is_reported(mock_server, moodys_client) -> None:
    checker = MoodysReferenceChecker(moodys_client)
    assert not checker.edm_exists("RM_EDM_TAKEN")
    _create_edm(mock_server, moodys_client, "RM_EDM_TAKEN")
    assert checker.edm_exists("RM_EDM_TAKEN")
    assert not checker.rdm_exists("RM_RDM_NONE")


def test_sample_workbook_passes_the_checks_and_a_taken_edm_fails_it(
    tmp_path, mock_server, moodys_client
) -> None:
    path = write_sample_workbook(tmp_path / "sample.xlsx")
    checker = MoodysReferenceChecker(moodys_client)
    first = validate_workbook(path, reference_checker=checker)
    assert first.ok, first.errors_markdown()
    taken = first.configuration["databases"][0]["Database"]
    _create_edm(mock_server, moodys_client, taken)
    again = validate_workbook(path, reference_checker=MoodysReferenceChecker(moodys_client))
    assert [(e.code, e.sheet, e.value) for e in again.errors] == [("BUS-008", "Databases", taken)]
