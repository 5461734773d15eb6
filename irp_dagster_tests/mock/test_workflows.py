"""Legacy v1 workflows: EDM data upgrade and legacy datasources, get/list/cancel, contracts."""

from __future__ import annotations

import pytest

from irp_dagster_tests.mock.contract import assert_legacy_contract, assert_schema
from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, create_edm, job_id

WORKFLOWS = "/riskmodeler/v1/workflows"


@pytest.fixture
def exposure(http, mock_server, edm_setup) -> dict:
    server_id, set_id = edm_setup
    create_edm(http, set_id, server_id, "EDM_UP")
    mock_server.state.advance(200)
    return http.get(f"{RISKDATA}/exposures", params={"filter": 'exposureName="EDM_UP"'}).json()[0]


def upgrade(http, exposure_id, version="22", request_id=None):
    headers = {"x-rms-requestid": request_id} if request_id else {}
    return http.post(
        f"{RISKDATA}/exposures/{exposure_id}/data-upgrade",
        json={"edmDataVersion": version},
        headers=headers,
    )


def test_data_upgrade_is_a_v1_workflow(http, mock_server, exposure):
    response = upgrade(http, exposure["exposureId"])
    assert response.status_code == 202
    assert response.headers["location"] == f"{mock_server.base_url}{WORKFLOWS}/{job_id(response)}"
    running = http.get(f"{WORKFLOWS}/{job_id(response)}")
    assert_legacy_contract(running)
    assert_schema(running.json(), "workflow")
    assert running.json()["id"] == int(job_id(response))
    assert running.json()["type"] == "EDM_DATA_UPGRADE"
    mock_server.state.advance(30)
    done = http.get(f"{WORKFLOWS}/{job_id(response)}")
    assert_legacy_contract(done)
    assert_schema(done.json(), "workflow")
    body = done.json()
    assert body["status"] == "FINISHED" and body["progress"] == 100
    assert body["jobs"][0]["status"] == "Succeeded"
    assert body["jobs"][0]["output"] == {
        "databaseName": exposure["databaseName"],
        "dataVersion": "22.0.0",
    }
    refreshed = http.get(f"{RISKDATA}/exposures/{exposure['exposureId']}").json()
    assert refreshed["edmDataVersion"] == "22"
    # a v1 workflow is not a riskdata job
    assert_envelope(http.get(f"{RISKDATA}/jobs/{job_id(response)}"), 404, "JOB-001")


def test_data_upgrade_validation(http, exposure):
    assert_envelope(upgrade(http, 424242), 404)
    assert_envelope(upgrade(http, exposure["exposureId"], version="latest"), 400)
    assert_envelope(http.get(f"{WORKFLOWS}/999"), 404, "WORKFLOW-511")


def test_bulk_list_by_ids_newest_first_with_filters_and_paging(http, mock_server, exposure):
    ids = [job_id(upgrade(http, exposure["exposureId"])) for _ in range(5)]
    mock_server.state.advance(1)
    mock_server.state.set_outcome(ids[0], "FINISHED")
    listed = http.get(WORKFLOWS, params={"ids": ",".join(ids[:3]) + ",999", "limit": 100})
    assert_legacy_contract(listed)
    assert_schema(listed.json(), "workflow_search")
    assert listed.json()["totalMatchCount"] == 3
    assert [w["id"] for w in listed.json()["workflows"]] == [int(i) for i in reversed(ids[:3])]
    finished = http.get(WORKFLOWS, params={"status": "FINISHED"}).json()
    assert [w["id"] for w in finished["workflows"]] == [int(ids[0])]
    paged = http.get(
        WORKFLOWS, params={"workflowtype": "EDM_DATA_UPGRADE", "limit": 2, "offset": 2}
    ).json()
    assert paged["totalMatchCount"] == 5
    assert [w["id"] for w in paged["workflows"]] == [int(ids[2]), int(ids[1])]
    mock_server.state.add_fault(route=WORKFLOWS, kind="short_page", page_size=1, next_n=1)
    assert len(http.get(WORKFLOWS).json()["workflows"]) == 1


def test_cancel_workflow(http, mock_server, exposure):
    queued = job_id(upgrade(http, exposure["exposureId"]))
    mock_server.state.add_rule(
        {"match": {"type": "EDM_DATA_UPGRADE"}, "outcome": "STICK", "status": "QUEUED"}
    )
    stuck = job_id(upgrade(http, exposure["exposureId"]))
    cancelled = http.delete(f"{WORKFLOWS}/{stuck}")
    assert_legacy_contract(cancelled)
    assert cancelled.status_code == 202 and cancelled.content == b""
    assert http.get(f"{WORKFLOWS}/{stuck}").json()["status"] == "CANCELLED"
    mock_server.state.advance(100)
    assert http.get(f"{WORKFLOWS}/{queued}").json()["status"] == "FINISHED"
    refused = http.delete(f"{WORKFLOWS}/{queued}")
    assert_legacy_contract(refused)
    assert_envelope(refused, 400, "WORKFLOW-515")


def test_workflow_faults_not_ready_and_lost(http, mock_server, exposure):
    wid = job_id(upgrade(http, exposure["exposureId"]))
    mock_server.state.add_fault(route=f"{WORKFLOWS}/*", method="GET", kind="not_ready", next_n=1)
    not_ready = http.get(f"{WORKFLOWS}/{wid}")
    assert_legacy_contract(not_ready)
    assert not_ready.status_code == 204
    mock_server.state.add_fault(route=f"{WORKFLOWS}/*", kind="lost", job_id=wid, next_n=1)
    assert_envelope(http.get(f"{WORKFLOWS}/{wid}"), 404, "WORKFLOW-511")
    assert http.get(WORKFLOWS, params={"ids": wid}).json() == {
        "totalMatchCount": 0,
        "workflows": [],
    }


def test_legacy_datasources_create_and_upgrade(http, mock_server):
    created = http.post(
        "/riskmodeler/v1/datasources",
        params={
            "datasourcename": "LEGACY_EDM",
            "operation": "CREATE",
            "servername": "databridge-1",
        },
    )
    assert_legacy_contract(created)
    assert created.status_code == 202
    assert "/riskmodeler/v1/workflows/" in created.headers["location"]
    mock_server.state.advance(200)
    workflow = http.get(created.headers["location"])
    assert_legacy_contract(workflow)
    assert (workflow.json()["type"], workflow.json()["status"]) == ("CREATE_EDM", "FINISHED")
    edm = http.get(f"{RISKDATA}/exposures", params={"filter": 'exposureName="LEGACY_EDM"'}).json()
    assert workflow.json()["summary"]["databaseName"] == edm[0]["databaseName"]
    upgraded = http.post(
        "/riskmodeler/v1/datasources",
        params={"datasourcename": "LEGACY_EDM", "operation": "EDM_DATA_UPGRADE"},
    )
    assert upgraded.status_code == 202
    bad = http.post(
        "/riskmodeler/v1/datasources", params={"datasourcename": "bad--name", "operation": "CREATE"}
    )
    assert_legacy_contract(bad, check_request=False)
    assert_envelope(bad, 400)
