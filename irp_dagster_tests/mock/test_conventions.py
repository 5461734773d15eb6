"""Cross-cutting conventions: auth, envelopes, filter grammar and paging, journal, ledger."""

from __future__ import annotations

import httpx
import pytest

from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, create_edm, job_id
from mock_moodys.config import MockConfig
from mock_moodys.server import MockServer


def test_missing_authorization_is_gateway_401(mock_server):
    response = httpx.get(f"{mock_server.base_url}{RISKDATA}/dataservers")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_configured_api_key_must_match():
    with MockServer(MockConfig(api_key="secret-key", manual_clock=True)) as server:
        url = f"{server.base_url}{RISKDATA}/dataservers"
        assert httpx.get(url, headers={"Authorization": "wrong"}).status_code == 401
        assert httpx.get(url, headers={"Authorization": "secret-key"}).status_code == 200
        assert server.state.journal()[0]["headers"]["authorization"] == "<redacted>"


def test_unknown_route_wrong_method_and_malformed_json_get_the_envelope(http, edm_setup):
    assert_envelope(http.get("/platform/riskdata/v1/nothing"), 404)
    assert_envelope(http.delete(f"{RISKDATA}/dataservers"), 405)
    _, set_id = edm_setup
    malformed = http.post(
        f"{RISKDATA}/exposuresets/{set_id}/exposures",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert_envelope(malformed, 400)
    assert_envelope(http.post(f"{RISKDATA}/exposuresets", json=["a list"]), 400)
    assert_envelope(http.get("/platform/nope/v1/jobs/1"), 404)


@pytest.fixture
def many_jobs(http, mock_server, edm_setup) -> list[str]:
    server_id, set_id = edm_setup
    ids = [job_id(create_edm(http, set_id, server_id, f"EDM_{n:03d}")) for n in range(130)]
    mock_server.state.advance(200)  # the first 130 finish ...
    ids += [job_id(create_edm(http, set_id, server_id, f"LATE_{n}")) for n in range(3)]
    return ids


def test_paging_default_and_max_limit_is_100_newest_first(http, many_jobs):
    first = http.get(f"{RISKDATA}/jobs").json()
    assert len(first) == 100
    assert [r["jobId"] for r in first] == sorted(many_jobs, key=int, reverse=True)[:100]
    assert len(http.get(f"{RISKDATA}/jobs", params={"limit": 500}).json()) == 100
    rest = http.get(f"{RISKDATA}/jobs", params={"offset": 100}).json()
    assert {r["jobId"] for r in first + rest} == set(many_jobs)
    small = http.get(f"{RISKDATA}/jobs", params={"limit": 7, "offset": 3}).json()
    assert [r["jobId"] for r in small] == [r["jobId"] for r in first[3:10]]
    assert_envelope(http.get(f"{RISKDATA}/jobs", params={"limit": "x"}), 400)


def test_filters(http, many_jobs):
    def search(expr: str) -> list[dict]:
        return http.get(f"{RISKDATA}/jobs", params={"filter": expr}).json()

    wanted = many_jobs[:2]
    in_ids = ",".join(f'"{i}"' for i in wanted)
    assert sorted(r["jobId"] for r in search(f"jobId IN ({in_ids})")) == sorted(wanted)
    assert len(search('status IN ("QUEUED","RUNNING")')) == 3
    assert len(search('status = "FINISHED" AND type = "CREATE_EDM"')) == 100
    assert [r["name"] for r in search('name LIKE "LATE*"')] == ["LATE_2", "LATE_1", "LATE_0"]
    assert len(search('name LIKE "EDM_00*" AND status = "FINISHED"')) == 10
    assert search('type = "DLM"') == []
    assert_envelope(http.get(f"{RISKDATA}/jobs", params={"filter": 'jobId IN ("1"'}), 400)


def test_journal_and_ledger(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    response = create_edm(http, set_id, server_id, "J1", request_id="rid-1")
    http.get(response.headers["location"])
    http.get(response.headers["location"])
    posts = mock_server.state.journal(path=f"{RISKDATA}/exposuresets/*/exposures", method="POST")
    assert len(posts) == 1
    entry = posts[0]
    assert entry["status"] == 202 and entry["body"] == {"exposureName": "J1", "serverId": server_id}
    assert entry["headers"]["x-rms-requestid"] == "rid-1"
    assert entry["headers"]["x-rms-resource-group-id"] == http.headers["x-rms-resource-group-id"]
    assert {"method", "path", "query", "status", "headers", "body", "at"} <= set(entry)
    over_http = http.get("/_mock/journal", params={"path": f"{RISKDATA}/jobs/*"}).json()
    assert [e["method"] for e in over_http] == ["GET", "GET"]
    ledger = http.get("/_mock/ledger").json()
    assert ledger["GET /platform/{api}/v1/jobs/{job_id}"] == 2
    assert ledger[f"POST {RISKDATA}/exposuresets/{{set_id}}/exposures"] == 1
    assert not any(key.split()[1].startswith("/_mock") for key in ledger)


def test_control_plane_clock_reset_and_outcome(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    location = create_edm(http, set_id, server_id, "C1", "rid-c").headers["location"]
    assert http.post("/_mock/clock/advance", json={"seconds": 30}).json()["now"] == 30
    assert http.get(location).json()["status"] == "RUNNING"
    jid = location.rsplit("/", 1)[-1]
    forced = http.post(f"/_mock/jobs/{jid}/outcome", json={"outcome": "FINISHED"})
    assert forced.status_code == 200 and forced.json()["status"] == "FINISHED"
    assert http.get("/_mock/requests/rid-c").json()["jobs"] == 1
    assert_envelope(http.post("/_mock/jobs/1/outcome", json={"outcome": "FINISHED"}), 404)
    assert_envelope(http.post(f"/_mock/jobs/{jid}/outcome", json={"outcome": "MAYBE"}), 400)
    assert http.post("/_mock/reset").status_code == 200
    assert_envelope(http.get(location), 404, "JOB-001")
    assert http.get(f"{RISKDATA}/dataservers").json()[0]["serverName"] == "databridge-1"


def test_an_internal_error_is_a_500_envelope_not_a_stack_trace(http, mock_server, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(mock_server.state, "job_rows", explode)
    response = http.get(f"{RISKDATA}/jobs")
    body = assert_envelope(response, 500, "INT-500")
    assert "secret" not in response.text and "Traceback" not in response.text
    assert body["message"] == "Internal server error."


def test_real_clock_moves_jobs_without_advance():
    with MockServer(MockConfig(clock_factor=100_000)) as server:
        headers = {"Authorization": "k", "x-rms-resource-group-id": "rg"}
        with httpx.Client(base_url=server.base_url, headers=headers) as http:
            server_id = http.get(f"{RISKDATA}/dataservers").json()[0]["serverId"]
            set_id = job_id(http.post(f"{RISKDATA}/exposuresets", json={"exposureSetName": "S"}))
            location = create_edm(http, set_id, server_id, "FAST").headers["location"]
            statuses = set()
            for _ in range(500):
                statuses.add(http.get(location).json()["status"])
                if "FINISHED" in statuses:
                    break
            assert "FINISHED" in statuses
            assert http.get("/_mock/clock").json()["manual"] is False
