"""Idempotency on x-rms-requestid, and injected faults (status, Retry-After, accepted-then-5xx,
latency, reset, 204, lost, schema drift, short pages)."""

from __future__ import annotations

import threading
from email.utils import formatdate

import httpx
import pytest

from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, create_edm

EXPOSURES = f"{RISKDATA}/exposuresets/*/exposures"


def test_same_key_same_body_replays_and_creates_nothing(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    first = create_edm(http, set_id, server_id, "E1", request_id="key-1")
    second = create_edm(http, set_id, server_id, "E1", request_id="key-1")
    assert second.status_code == first.status_code == 202
    assert second.headers["location"] == first.headers["location"]
    assert mock_server.state.workflows_for_request_id("key-1") == 1
    assert len(http.get(f"{RISKDATA}/jobs").json()) == 1


def test_same_key_different_body_is_400(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    create_edm(http, set_id, server_id, "E1", request_id="key-2")
    assert_envelope(create_edm(http, set_id, server_id, "E2", request_id="key-2"), 400)
    assert mock_server.state.workflows_for_request_id("key-2") == 1


def test_same_key_while_first_in_flight_is_409_int_409(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    mock_server.state.add_fault(
        route=EXPOSURES, method="POST", kind="latency", seconds=0.5, next_n=1
    )
    results: list[httpx.Response] = []

    def submit_slowly() -> None:
        with httpx.Client(base_url=mock_server.base_url, headers=http.headers) as other:
            results.append(create_edm(other, set_id, server_id, "E1", "key-3"))

    slow = threading.Thread(target=submit_slowly)
    slow.start()
    for _ in range(100):  # wait until the slow request is in flight
        if mock_server.state.faults.faults[0].fired:
            break
        threading.Event().wait(0.01)
    assert_envelope(create_edm(http, set_id, server_id, "E1", "key-3"), 409, "INT-409")
    slow.join()
    assert results[0].status_code == 202
    assert create_edm(http, set_id, server_id, "E1", "key-3").status_code == 202
    assert mock_server.state.workflows_for_request_id("key-3") == 1


def test_429_with_retry_after_seconds_then_success(http, mock_server):
    mock_server.state.add_fault(
        route=f"{RISKDATA}/dataservers",
        method="GET",
        kind="status",
        status=429,
        retry_after="7",
        next_n=2,
    )
    for _ in range(2):
        response = http.get(f"{RISKDATA}/dataservers")
        assert_envelope(response, 429)
        assert response.headers["retry-after"] == "7"
    assert http.get(f"{RISKDATA}/dataservers").status_code == 200


def test_503_with_http_date_retry_after_every_nth(http, mock_server):
    when = formatdate(usegmt=True)
    mock_server.state.add_fault(
        route="/platform/*", kind="status", status=503, retry_after=when, every_nth=2
    )
    statuses = [http.get(f"{RISKDATA}/dataservers") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 503, 200, 503]
    assert statuses[1].headers["retry-after"] == when


def test_accepted_then_error_creates_the_job_and_replays_on_retry(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    mock_server.state.add_fault(
        route=EXPOSURES, method="POST", kind="accepted_then_error", status=502, next_n=1
    )
    assert_envelope(create_edm(http, set_id, server_id, "E1", "key-4"), 502)
    assert mock_server.state.workflows_for_request_id("key-4") == 1
    retry = create_edm(http, set_id, server_id, "E1", "key-4")
    assert retry.status_code == 202
    assert mock_server.state.workflows_for_request_id("key-4") == 1


def test_accepted_then_error_without_key_duplicates(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    mock_server.state.add_fault(
        route=EXPOSURES, method="POST", kind="accepted_then_error", next_n=1
    )
    assert create_edm(http, set_id, server_id, "E1").status_code == 502
    assert create_edm(http, set_id, server_id, "E1").status_code == 202
    assert len(http.get(f"{RISKDATA}/jobs", params={"filter": 'name="E1"'}).json()) == 2


def test_status_fault_on_post_creates_nothing(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    mock_server.state.add_fault(route=EXPOSURES, method="POST", kind="status", status=500, next_n=1)
    assert_envelope(create_edm(http, set_id, server_id, "E1", "key-5"), 500)
    assert mock_server.state.workflows_for_request_id("key-5") == 0
    assert create_edm(http, set_id, server_id, "E1", "key-5").status_code == 202


def test_reset_drops_the_connection(http, mock_server):
    mock_server.state.add_fault(route=f"{RISKDATA}/dataservers", kind="reset", next_n=1)
    with pytest.raises(httpx.TransportError):
        http.get(f"{RISKDATA}/dataservers")
    assert http.get(f"{RISKDATA}/dataservers").status_code == 200


def test_latency_delays_but_answers(http, mock_server):
    mock_server.state.add_fault(route=f"{RISKDATA}/dataservers", kind="latency", seconds=0.3)
    with pytest.raises(httpx.ReadTimeout):
        http.get(f"{RISKDATA}/dataservers", timeout=0.05)
    assert http.get(f"{RISKDATA}/dataservers").status_code == 200


def test_job_faults_not_ready_lost_unknown_status_missing_progress(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    location = create_edm(http, set_id, server_id, "E1").headers["location"]
    jid = location.rsplit("/", 1)[-1]
    route = f"{RISKDATA}/jobs/*"
    mock_server.state.add_fault(route=route, method="GET", kind="not_ready", next_n=1)
    not_ready = http.get(location)
    assert not_ready.status_code == 204 and not_ready.content == b""
    mock_server.state.add_fault(route=route, kind="unknown_status", value="PAUSED", next_n=1)
    assert http.get(location).json()["status"] == "PAUSED"
    mock_server.state.add_fault(route=route, kind="missing_progress", next_n=1)
    assert "progress" not in http.get(location).json()
    assert http.get(location).json()["status"] == "QUEUED"
    mock_server.state.add_fault(route=route, kind="lost", job_id=jid, after_n=1)
    assert http.get(location).status_code == 200
    assert_envelope(http.get(location), 404, "JOB-001")
    assert http.get(f"{RISKDATA}/jobs", params={"filter": f'jobId IN ("{jid}")'}).json() == []


def test_unknown_status_fault_on_search_rows(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    create_edm(http, set_id, server_id, "E1")
    mock_server.state.add_fault(route=f"{RISKDATA}/jobs", kind="unknown_status", next_n=1)
    assert [r["status"] for r in http.get(f"{RISKDATA}/jobs").json()] == ["UNKNOWN_STATUS"]


def test_short_page_caps_the_page(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    for n in range(5):
        create_edm(http, set_id, server_id, f"E{n}")
    mock_server.state.add_fault(route=f"{RISKDATA}/jobs", kind="short_page", page_size=2)
    assert len(http.get(f"{RISKDATA}/jobs", params={"limit": 100}).json()) == 2


def test_faults_over_the_control_plane(http, mock_server):
    bad = http.post("/_mock/faults", json={"route": "*", "kind": "explode"})
    assert_envelope(bad, 400)
    added = http.post(
        "/_mock/faults",
        json={"route": f"{RISKDATA}/dataservers", "method": "GET", "kind": "status", "status": 504},
    )
    assert added.status_code == 201 and added.json()["kind"] == "status"
    assert http.get("/_mock/faults").json()[0]["status"] == 504
    assert_envelope(http.get(f"{RISKDATA}/dataservers"), 504)
    assert http.delete("/_mock/faults").status_code == 204
    assert http.get(f"{RISKDATA}/dataservers").status_code == 200


def test_probability_faults_use_the_seeded_rng(http, mock_server):
    route = f"{RISKDATA}/dataservers"
    mock_server.state.add_fault(route=route, kind="status", status=500, probability=0.0)
    assert all(http.get(route).status_code == 200 for _ in range(5))
    mock_server.state.clear_faults()
    mock_server.state.add_fault(route=route, kind="status", status=500, probability=1.0, next_n=3)
    assert [http.get(route).status_code for _ in range(4)] == [500, 500, 500, 200]
    mock_server.state.clear_faults()
    mock_server.state.add_fault(route=route, kind="status", status=503, probability=0.5)
    first = [http.get(route).status_code for _ in range(40)]
    assert {200, 503} == set(first)


def test_quota_and_auth_faults(http, mock_server):
    route = f"{RISKDATA}/exposuresets"
    mock_server.state.add_fault(
        route=route,
        method="POST",
        kind="status",
        status=400,
        code="WORKFLOW-400",
        message="Concurrency quota exceeded",
        next_n=1,
    )
    mock_server.state.add_fault(route=route, method="GET", kind="status", status=401, next_n=1)
    mock_server.state.add_fault(route=route, method="GET", kind="status", status=403, next_n=1)
    quota = http.post(route, json={"exposureSetName": "Q"})
    assert assert_envelope(quota, 400, "WORKFLOW-400")["message"] == "Concurrency quota exceeded"
    assert http.get(route).json() == {"message": "Unauthorized"}
    assert_envelope(http.get(route), 403)
    assert http.get(route).status_code == 200
