"""The product's MoodysClient against the mock over HTTP: the contract the engine relies on."""

from __future__ import annotations

from irp_dagster_tests.mock.helpers import RISKDATA


def test_client_creates_an_edm_once_despite_accepted_then_error(moodys_client, mock_server):
    state = mock_server.state
    server_id = moodys_client.find_dataserver_id("databridge-1")
    set_id = moodys_client.ensure_exposure_set("cycle-set", "11111111-1111-4111-8111-111111111111")
    assert moodys_client.ensure_exposure_set("cycle-set", "unused") == set_id
    state.add_fault(
        route=f"{RISKDATA}/exposuresets/*/exposures",
        method="POST",
        kind="accepted_then_error",
        status=503,
        next_n=1,
    )
    state.add_fault(
        route=f"{RISKDATA}/jobs", method="GET", kind="status", status=429, retry_after="0", next_n=1
    )
    key = "22222222-2222-4222-8222-222222222222"
    submitted = moodys_client.submit(
        f"{RISKDATA}/exposuresets/{set_id}/exposures",
        {"exposureName": "EDM_CLIENT", "serverId": server_id},
        key,
    )
    assert state.workflows_for_request_id(key) == 1
    state.advance(500)
    (job,) = moodys_client.search(f"{RISKDATA}/jobs", f'jobId IN ("{submitted.job_id}")')
    assert job["status"] == "FINISHED"
    exposure = moodys_client.find_exposure("EDM_CLIENT")
    assert exposure["databaseName"].startswith("EDM_CLIENT_")
    posts = state.journal(f"{RISKDATA}/exposuresets/*/exposures", "POST")
    assert [e["status"] for e in posts] == [503, 202]
    assert {e["headers"]["x-rms-requestid"] for e in posts} == {key}
