"""Cancel semantics (QUEUED at once; PENDING/RUNNING only for cancellable types, through
CANCEL_REQUESTED and CANCELLING) and priority updates, on Platform model jobs."""

from __future__ import annotations

import pytest

from irp_dagster_tests.mock.contract import assert_schema
from irp_dagster_tests.mock.helpers import assert_envelope


@pytest.fixture
def submit_model(http, portfolio):
    profile = http.get("/analysis-settings/modelprofiles", params={"name": "HD USWF v2"}).json()
    output = http.get("/analysis-settings/outputprofiles").json()[0]

    def submit(name: str) -> str:
        body = {
            "resourceUri": portfolio["uri"],
            "resourceType": "portfolio",
            "type": "HD",
            "settings": {
                "name": name,
                "modelProfileId": profile["items"][0]["id"],
                "outputProfileId": output["id"],
            },
        }
        return http.post("/platform/model/v1/jobs", json=body).headers["location"]

    return submit


def test_running_hd_job_cancels_in_three_steps(http, mock_server, submit_model):
    location = submit_model("HD_CANCEL")
    mock_server.state.advance(200)
    running = http.get(location).json()
    assert running["status"] == "RUNNING"
    assert http.patch(location, json={"status": "CANCELLED"}).status_code == 202
    seen = [http.get(location).json()]
    mock_server.state.advance(2)
    seen.append(http.get(location).json())
    mock_server.state.advance(3)
    seen.append(http.get(location).json())
    assert [j["status"] for j in seen] == ["CANCEL_REQUESTED", "CANCELLING", "CANCELLED"]
    assert seen[-1]["progress"] == running["progress"]
    assert seen[-1]["tasks"][0]["status"] == "Cancelled" and "endedAt" in seen[-1]
    for job in seen:
        assert_schema(job, "platform_job")
    mock_server.state.advance(10_000)
    assert http.get(location).json()["status"] == "CANCELLED"
    assert http.get("/platform/riskdata/v1/analyses").json() == []
    assert_envelope(http.patch(location, json={"status": "CANCELLED"}), 400, "JOB-609")


def test_priority_only_while_queued(http, mock_server, submit_model):
    location = submit_model("HD_PRIORITY")
    assert http.patch(location, json={"priority": "high"}).status_code == 202
    assert http.get(location).json()["priority"] == "high"
    assert_envelope(http.patch(location, json={"priority": "urgent"}), 400, "JOB-608")
    assert_envelope(http.patch(location, json={}), 400, "JOB-601")
    mock_server.state.advance(100)
    assert_envelope(http.patch(location, json={"priority": "low"}), 400, "JOB-608")


def test_patch_on_another_apis_job_is_404(http, submit_model):
    job_id = submit_model("HD_X").rsplit("/", 1)[-1]
    response = http.patch(f"/platform/geohaz/v1/jobs/{job_id}", json={"status": "CANCELLED"})
    assert_envelope(response, 404, "JOB-001")
