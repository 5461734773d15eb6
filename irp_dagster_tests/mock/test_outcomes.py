"""Outcome control: partial-task failure, unexpected cancellation, stick in QUEUED, clock."""

from __future__ import annotations

from irp_dagster.domain.moodys_payloads import geohaz_body
from irp_dagster_tests.mock.contract import assert_schema
from irp_dagster_tests.mock.helpers import RISKDATA, create_edm, job_id


def test_partial_task_failure_on_geohaz(http, mock_server, portfolio):
    rule = {
        "match": {"type": "GEOHAZ", "route": "/platform/geohaz/*"},
        "outcome": "FAILED",
        "message": "Hazard lookup failed",
        "failed_task": "HAZARD",
    }
    assert http.post("/_mock/outcomes", json=rule).status_code == 201
    location = http.post(
        "/platform/geohaz/v1/jobs", json=geohaz_body(portfolio["uri"], "23", "23")
    ).headers["location"]
    mock_server.state.advance(5000)
    job = http.get(location).json()
    assert_schema(job, "platform_job")
    assert job["status"] == "FAILED" and 0 < job["progress"] < 100
    assert [(t["name"], t["status"]) for t in job["tasks"]] == [
        ("GEOCODING", "Succeeded"),
        ("HAZARD", "Failed"),
    ]
    assert job["tasks"][1]["output"]["errors"] == [{"message": "Hazard lookup failed"}]
    assert http.delete("/_mock/outcomes").status_code == 204


def test_unexpected_cancellation_and_stick_in_queue(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    cancelled = create_edm(http, set_id, server_id, "GONE")
    mock_server.state.advance(60)
    forced = http.post(f"/_mock/jobs/{job_id(cancelled)}/outcome", json={"outcome": "CANCELLED"})
    assert forced.json()["status"] == "CANCELLED"
    assert forced.json()["messages"][0]["type"] == "INFO"
    http.post(
        "/_mock/outcomes",
        json={"match": {"name_like": "WAIT*"}, "outcome": "STICK", "status": "QUEUED"},
    )
    waiting = create_edm(http, set_id, server_id, "WAIT_1").headers["location"]
    mock_server.state.advance(100_000)
    assert http.get(waiting).json()["status"] == "QUEUED"
    release = {"outcome": "FINISHED"}
    assert http.post(f"/_mock/jobs/{waiting.rsplit('/', 1)[-1]}/outcome", json=release).is_success
    finished = http.get(waiting).json()
    assert finished["status"] == "FINISHED" and "startedAt" in finished
    names = {e["exposureName"] for e in http.get(f"{RISKDATA}/exposures").json()}
    assert names == {"WAIT_1"}


def test_clock_control(http, mock_server):
    assert http.post("/_mock/clock", json={"factor": 10.0}).json()["factor"] == 10.0
    assert http.post("/_mock/clock/advance", params={"seconds": 5}).json()["now"] == 5
    assert http.post("/_mock/clock/advance", json={"seconds": -1}).status_code == 400
    assert http.post("/_mock/clock", json={"factor": -2}).status_code == 400
