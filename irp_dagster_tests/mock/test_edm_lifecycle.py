"""CREATE_EDM end to end on the manual clock: submission, progression, side effect, cancel."""

from __future__ import annotations

import re

from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, create_edm, job_id

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_exposure_set_create_is_sync_with_absolute_location(http, mock_server):
    response = http.post(f"{RISKDATA}/exposuresets", json={"exposureSetName": "S1"})
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith(mock_server.base_url + f"{RISKDATA}/exposuresets/")
    rows = http.get(f"{RISKDATA}/exposuresets", params={"filter": 'exposureSetName="S1"'}).json()
    assert [str(r["exposureSetId"]) for r in rows] == [job_id(response)]
    again = http.post(f"{RISKDATA}/exposuresets", json={"exposureSetName": "S1"})
    assert_envelope(again, 409)


def test_create_edm_progresses_to_finished_and_creates_the_exposure(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    response = create_edm(http, set_id, server_id, "EDM_USFL")
    assert response.status_code == 202
    location = response.headers["location"]
    assert location == f"{mock_server.base_url}{RISKDATA}/jobs/{job_id(response)}"
    assert int(job_id(response)) >= mock_server.state.config.base_id

    job = http.get(location).json()
    assert job["jobId"] == job_id(response)
    assert (job["status"], job["progress"], job["type"], job["name"]) == (
        "QUEUED",
        0,
        "CREATE_EDM",
        "EDM_USFL",
    )
    assert job["resourceGroupId"] == http.headers["x-rms-resource-group-id"]
    assert ISO_MS.match(job["submittedAt"]) and "startedAt" not in job

    mock_server.state.advance(18)
    assert http.get(location).json()["status"] == "PENDING"
    mock_server.state.advance(30)
    running = http.get(location).json()
    assert running["status"] == "RUNNING" and 0 < running["progress"] < 100
    assert ISO_MS.match(running["startedAt"])
    mock_server.state.advance(30)
    later = http.get(location).json()
    assert later["progress"] > running["progress"]
    by_name = {"filter": 'exposureName="EDM_USFL"'}
    assert not http.get(f"{RISKDATA}/exposures", params=by_name).json()

    mock_server.state.advance(100)
    done = http.get(location).json()
    assert done["status"] == "FINISHED" and done["progress"] == 100
    assert ISO_MS.match(done["endedAt"]) and done["endedAt"] > done["startedAt"]
    assert done["details"]["summary"] == "CREATE_EDM is successful"
    assert [t["status"] for t in done["tasks"]] == ["Succeeded"]

    rows = http.get(f"{RISKDATA}/exposures", params=by_name).json()
    assert len(rows) == 1
    assert re.fullmatch(r"EDM_USFL_[A-Za-z]{4}", rows[0]["databaseName"])
    uri = f"{RISKDATA}/exposures/{rows[0]['exposureId']}"
    assert done["details"]["resources"] == [{"uri": uri}]
    assert_envelope(create_edm(http, set_id, server_id, "EDM_USFL"), 409)


def test_create_edm_validation(http, edm_setup):
    server_id, set_id = edm_setup
    assert_envelope(create_edm(http, "999999", server_id, "X"), 404)
    assert_envelope(http.post(f"{RISKDATA}/exposuresets/{set_id}/exposures", json={}), 400)
    no_group = http.post(
        f"{RISKDATA}/exposuresets/{set_id}/exposures",
        json={"exposureName": "X", "serverId": server_id},
        headers={"x-rms-resource-group-id": ""},
    )
    body = assert_envelope(no_group, 400)
    assert "x-rms-resource-group-id" in body["message"]


def test_failed_outcome_carries_task_errors_and_messages(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    location = create_edm(http, set_id, server_id, "EDM_BAD").headers["location"]
    mock_server.state.advance(60)
    mock_server.state.set_outcome(job_id_of(location), "FAILED", message="Disk quota exceeded")
    failed = http.get(location).json()
    assert failed["status"] == "FAILED" and "endedAt" in failed
    assert failed["details"]["summary"] == "Disk quota exceeded"
    assert failed["tasks"][0]["status"] == "Failed"
    assert failed["tasks"][0]["output"]["errors"] == [{"message": "Disk quota exceeded"}]
    assert failed["messages"][0]["message"] == "Disk quota exceeded"
    mock_server.state.advance(1000)
    assert http.get(location).json()["status"] == "FAILED"
    assert not http.get(f"{RISKDATA}/exposures", params={"filter": 'exposureName="EDM_BAD"'}).json()


def test_outcome_rule_applies_to_future_matching_jobs_only(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    rule = {
        "match": {"type": "CREATE_EDM", "name_like": "BAD*"},
        "outcome": "FAILED",
        "message": "boom",
        "next_n": 1,
    }
    assert http.post("/_mock/outcomes", json=rule).status_code == 201
    bad = create_edm(http, set_id, server_id, "BAD_1").headers["location"]
    good = create_edm(http, set_id, server_id, "GOOD_1").headers["location"]
    bad_again = create_edm(http, set_id, server_id, "BAD_2").headers["location"]
    mock_server.state.advance(1000)
    assert http.get(bad).json()["status"] == "FAILED"
    assert http.get(bad).json()["details"]["summary"] == "boom"
    assert http.get(good).json()["status"] == "FINISHED"
    assert http.get(bad_again).json()["status"] == "FINISHED"


def test_stuck_and_lost_outcomes(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    stuck = create_edm(http, set_id, server_id, "STUCK").headers["location"]
    lost = create_edm(http, set_id, server_id, "LOST").headers["location"]
    mock_server.state.advance(50)
    frozen = http.get(stuck).json()
    mock_server.state.set_outcome(job_id_of(stuck), "STICK")
    mock_server.state.set_outcome(job_id_of(lost), "LOST")
    mock_server.state.advance(10_000)
    again = http.get(stuck).json()
    assert (again["status"], again["progress"]) == (frozen["status"], frozen["progress"])
    assert_envelope(http.get(lost), 404, "JOB-001")
    ids = f'"{job_id_of(stuck)}","{job_id_of(lost)}"'
    rows = http.get(f"{RISKDATA}/jobs", params={"filter": f"jobId IN ({ids})"}).json()
    assert [r["jobId"] for r in rows] == [job_id_of(stuck)]


def test_cancel_queued_at_once_but_not_a_running_create_edm(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    queued = create_edm(http, set_id, server_id, "Q").headers["location"]
    assert http.patch(queued, json={"status": "CANCELLED"}).status_code == 202
    assert http.get(queued).json()["status"] == "CANCELLED"
    assert_envelope(http.patch(queued, json={"status": "CANCELLED"}), 400, "JOB-609")
    running = create_edm(http, set_id, server_id, "R").headers["location"]
    mock_server.state.advance(40)
    assert_envelope(http.patch(running, json={"status": "CANCELLED"}), 400, "JOB-609")
    both = http.patch(running, json={"status": "CANCELLED", "priority": "high"})
    assert_envelope(both, 400, "JOB-601")
    assert http.get(running).json()["status"] == "RUNNING"


def job_id_of(location: str) -> str:
    return location.rsplit("/", 1)[-1]


def test_duplicate_in_flight_edm_fails_at_the_end(http, mock_server, edm_setup):
    """Without an idempotency key a retried POST makes a second job; the later one fails."""
    server_id, set_id = edm_setup
    first = create_edm(http, set_id, server_id, "TWICE").headers["location"]
    second = create_edm(http, set_id, server_id, "TWICE").headers["location"]
    mock_server.state.advance(1000)
    assert http.get(first).json()["status"] == "FINISHED"
    failed = http.get(second).json()
    assert failed["status"] == "FAILED" and "already exists" in failed["details"]["summary"]
    assert len(http.get(f"{RISKDATA}/exposures").json()) == 1
