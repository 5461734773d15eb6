"""Small helpers for the mock tests."""

from __future__ import annotations

import httpx

from irp_dagster_tests.mock.contract import assert_schema

RISKDATA = "/platform/riskdata/v1"


def job_id(response: httpx.Response) -> str:
    return response.headers["location"].rstrip("/").rsplit("/", 1)[-1]


def create_edm(
    http: httpx.Client, set_id: str, server_id, name: str, request_id: str | None = None
) -> httpx.Response:
    headers = {"x-rms-requestid": request_id} if request_id else {}
    return http.post(
        f"{RISKDATA}/exposuresets/{set_id}/exposures",
        json={"exposureName": name, "serverId": server_id},
        headers=headers,
    )


def assert_envelope(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert_schema(body, "error")
    if code:
        assert body["code"] == code
    return body


def finish(http, mock_server, location: str, seconds: float = 2000) -> dict:
    mock_server.state.advance(seconds)
    job = http.get(location).json()
    assert job["status"] == "FINISHED", job
    return job
