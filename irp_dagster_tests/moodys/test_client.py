"""The Moody's client against the mock over HTTP: retries, idempotency, paging, errors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from irp_dagster.moodys.client import MoodysClient, RetryEvent, retry_after_seconds
from irp_dagster.moodys.errors import MoodysApiError, MoodysUnreachableError

EXPOSURES = "/platform/riskdata/v1/exposuresets/{}/exposures"
EDM_POSTS = EXPOSURES.format("*")


def _fault(server, **fault) -> None:
    httpx.post(f"{server.base_url}/_mock/faults", json=fault).raise_for_status()


def _fail_edm_posts(server, status: int, retry_after: str | None = None) -> None:
    """The next POST creating an EDM answers ``status`` (with Retry-After when given)."""
    fault = {"route": EDM_POSTS, "method": "POST", "kind": "status", "status": status}
    _fault(server, next_n=1, **fault, **({"retry_after": retry_after} if retry_after else {}))


def _journal(server, path: str, method: str) -> list[dict]:
    response = httpx.get(
        f"{server.base_url}/_mock/journal", params={"path": path, "method": method}
    )
    response.raise_for_status()
    return response.json()


def _create_edm(client: MoodysClient, name: str, request_id: str, **kw):
    server_id = client.find_dataserver_id("databridge-1")
    set_id = client.ensure_exposure_set(name, str(uuid.uuid4()))
    body = {"exposureName": name, "serverId": server_id}
    return client.submit(EXPOSURES.format(set_id), body, request_id, **kw)


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "7"})) == 7
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    parsed = retry_after_seconds(httpx.Response(503, headers={"Retry-After": later}))
    assert 25 <= parsed <= 30
    assert retry_after_seconds(httpx.Response(503)) is None


def test_429_and_503_are_retried_with_the_same_request_id(mock_server, moodys_client) -> None:
    events: list[RetryEvent] = []
    route = EDM_POSTS
    _fail_edm_posts(mock_server, 429, retry_after="0")
    _fail_edm_posts(mock_server, 503)
    request_id = str(uuid.uuid4())
    job = _create_edm(moodys_client, "RM_EDM_RETRY", request_id, on_retry=events.append)
    assert job.job_id
    assert [e.status_code for e in events] == [429, 503]
    posts = [e for e in _journal(mock_server, route, "POST")]
    assert len(posts) == 3
    assert {p["headers"].get("x-rms-requestid") for p in posts} == {request_id}
    assert mock_server.state.workflows_for_request_id(request_id) == 1


def test_accepted_then_error_is_replayed_not_duplicated(mock_server, moodys_client) -> None:
    route = "/platform/riskdata/v1/exposuresets/*/exposures"
    _fault(
        mock_server, route=route, method="POST", kind="accepted_then_error", status=502, next_n=1
    )
    request_id = str(uuid.uuid4())
    job = _create_edm(moodys_client, "RM_EDM_REPLAY", request_id)
    assert mock_server.state.workflows_for_request_id(request_id) == 1
    status = moodys_client.platform_job("riskdata", job.job_id)
    assert status["jobId"] == job.job_id


def test_definitive_4xx_is_not_retried(mock_server, moodys_client) -> None:
    with pytest.raises(MoodysApiError) as info:
        moodys_client.submit(EXPOSURES.format("999999999"), {"exposureName": "X"}, "r-1")
    assert info.value.is_definitive
    assert "HTTP 4" in str(info.value)
    assert len(_journal(mock_server, EXPOSURES.format("999999999"), "POST")) == 1


def test_retries_run_out_with_a_clear_error(mock_server, moodys_client) -> None:
    _fault(
        mock_server,
        route="/platform/riskdata/v1/dataservers",
        method="GET",
        kind="status",
        status=503,
        next_n=10,
    )
    with pytest.raises(MoodysApiError) as info:
        moodys_client.find_dataserver_id("databridge-1")
    assert info.value.status_code == 503 and not info.value.is_definitive
    assert len(_journal(mock_server, "/platform/riskdata/v1/dataservers", "GET")) == 4


def test_unreachable_host_is_named_without_the_key() -> None:
    with (
        MoodysClient(
            "http://127.0.0.1:9",
            "secret-key-123",
            "rg",
            max_retries=1,
            backoff_base_seconds=0.01,
            timeout_seconds=1,
        ) as client,
        pytest.raises(MoodysUnreachableError) as info,
    ):
        client.find_dataserver_id("databridge-1")
    assert "127.0.0.1:9" in str(info.value)
    assert "secret-key-123" not in str(info.value)


def test_retry_after_is_waited_in_seconds_and_http_date_forms(mock_server) -> None:
    """The client sleeps what Moody's asks (up to its cap), and reuses the request id."""
    route = EDM_POSTS
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    _fail_edm_posts(mock_server, 429, retry_after="7")
    _fail_edm_posts(mock_server, 429, retry_after=later)
    waits: list[float] = []
    request_id = str(uuid.uuid4())
    with MoodysClient(
        mock_server.base_url,
        "test-api-key",
        "00000000-0000-4000-8000-000000000001",
        max_retries=3,
        backoff_max_seconds=120,
        sleep=waits.append,
    ) as client:
        assert _create_edm(client, "RM_EDM_WAITS", request_id).job_id
    assert waits[0] == 7
    assert 25 <= waits[1] <= 30
    posts = _journal(mock_server, route, "POST")
    assert [p["status"] for p in posts] == [429, 429, 202]
    assert {p["headers"].get("x-rms-requestid") for p in posts} == {request_id}
