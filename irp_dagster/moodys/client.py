"""A typed httpx client for the Moody's Risk Modeler API (Platform, legacy workflows, Data Bridge).

Retries, backoff, ``Retry-After``, idempotency keys and paging live here and nowhere else:
- every job-creating POST carries ``x-rms-requestid`` and is retried only with that same key,
  so a crash or timeout after Moody's accepted a job never creates a second workflow;
- 429, 5xx, 409 INT-409 and connection errors are retried with exponential backoff and jitter,
  honouring ``Retry-After`` (seconds or HTTP date); any other 4xx is final;
- every retry is reported to ``on_retry`` so callers can keep a retry history.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from irp_dagster.moodys.errors import JobLostError, MoodysApiError, MoodysUnreachableError

log = logging.getLogger(__name__)

PAGE_SIZE = 100
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryEvent:
    method: str
    route: str
    attempt: int
    status_code: int | None
    error: str | None
    wait_seconds: float


@dataclass(frozen=True)
class SubmittedJob:
    """What a job-creating call returns: the Moody's id and where to poll it."""

    job_id: str
    location: str
    status_code: int


RetryCallback = Callable[[RetryEvent], None]


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one (loading the CA bundle) costs tens
    of milliseconds, and clients are created per run and per sensor tick."""
    return httpx.create_ssl_context()


class _Retryable(Exception):
    def __init__(self, response: httpx.Response | None, error: Exception | None) -> None:
        self.response, self.error = response, error


def retry_after_seconds(response: httpx.Response | None) -> float | None:
    """Parse ``Retry-After`` in its seconds or HTTP-date form."""
    value = response.headers.get("retry-after") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class MoodysClient:
    """Low-level transport plus the typed operations the engine uses."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        resource_group_id: str,
        *,
        timeout_seconds: float = 30.0,
        max_retries: int = 5,
        backoff_base_seconds: float = 0.5,
        backoff_max_seconds: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        on_retry: RetryCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            verify=tls_context(),
            headers={"Authorization": api_key, "x-rms-resource-group-id": resource_group_id},
            timeout=timeout_seconds,
            transport=transport,
        )
        self.max_retries = max_retries
        self.backoff_base_seconds = backoff_base_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.on_retry = on_retry
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MoodysClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome.exception() if state.outcome else None
        response = outcome.response if isinstance(outcome, _Retryable) else None
        hinted = retry_after_seconds(response)
        if hinted is None:
            exp = self.backoff_base_seconds * 2 ** (state.attempt_number - 1)
            hinted = random.uniform(0, exp) + exp / 2
        return min(hinted, self.backoff_max_seconds)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        request_id: str | None = None,
        on_retry: RetryCallback | None = None,
        accept: Iterable[int] = (),
    ) -> httpx.Response:
        """Send one request with retries; return the final 2xx (or ``accept``ed) response."""
        headers = {"x-rms-requestid": request_id} if request_id else None
        callback = on_retry or self.on_retry
        accepted = set(accept)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            assert isinstance(exc, _Retryable)
            event = RetryEvent(
                method=method,
                route=path,
                attempt=state.attempt_number,
                status_code=exc.response.status_code if exc.response is not None else None,
                error=type(exc.error).__name__ if exc.error else None,
                wait_seconds=round(state.upcoming_sleep, 3),
            )
            log.warning("Retrying Moody's %s %s: %s", method, path, event)
            if callback:
                callback(event)

        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self._send_once(method, path, json, params, headers)
        except _Retryable as final:
            if final.response is None:
                raise MoodysUnreachableError(
                    method, str(self._http.base_url), final.error
                ) from None
            response = final.response
        if response.is_success or response.status_code in accepted:
            return response
        body = _error_body(response)
        raise MoodysApiError(
            method,
            path,
            response.status_code,
            body.get("code"),
            body.get("message") or body.get("error"),
            body.get("logId"),
        )

    def _send_once(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str] | None,
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as error:
            raise _Retryable(None, error) from error
        if response.status_code in RETRYABLE_STATUS:
            raise _Retryable(response, None)
        if response.status_code == 409 and _error_body(response).get("code") == "INT-409":
            raise _Retryable(response, None)  # the original request is still being processed
        return response

    def _location_id(self, response: httpx.Response, method: str, path: str) -> SubmittedJob:
        location = response.headers.get("location")
        if not location:
            raise MoodysApiError(method, path, response.status_code, None, "no Location header")
        return SubmittedJob(location.rstrip("/").rsplit("/", 1)[-1], location, response.status_code)

    def submit(
        self,
        path: str,
        body: dict[str, Any],
        request_id: str,
        *,
        on_retry: RetryCallback | None = None,
    ) -> SubmittedJob:
        """POST a job-creating (or sync-creating) request; the id is the Location's last segment."""
        response = self.request("POST", path, json=body, request_id=request_id, on_retry=on_retry)
        return self._location_id(response, "POST", path)

    def search(self, path: str, filter_: str | None = None, **params: Any) -> list[dict]:
        """All rows of a Platform search (bare arrays), paging until a short page."""
        return list(self._pages(path, filter_, params))

    def _pages(self, path: str, filter_: str | None, params: dict[str, Any]) -> Iterator[dict]:
        offset = 0
        while True:
            query = {**params, "limit": PAGE_SIZE, "offset": offset}
            if filter_:
                query["filter"] = filter_
            page = self.request("GET", path, params=query).json()
            yield from page
            if len(page) < PAGE_SIZE:
                return
            offset += len(page)

    # -- look-ups ------------------------------------------------------------------------------

    def find_dataserver_id(self, server_name: str) -> str:
        rows = self.search("/platform/riskdata/v1/dataservers", f'serverName="{server_name}"')
        if not rows:
            raise MoodysApiError(
                "GET",
                "/platform/riskdata/v1/dataservers",
                404,
                None,
                f"no data server named {server_name!r}",
            )
        return str(rows[0]["serverId"])

    def find_exposure(self, exposure_name: str) -> dict | None:
        rows = self.search("/platform/riskdata/v1/exposures", f'exposureName="{exposure_name}"')
        return rows[0] if rows else None

    def ensure_exposure_set(self, name: str, request_id: str) -> str:
        """The id of the exposure set called ``name``, creating it once if missing."""
        path = "/platform/riskdata/v1/exposuresets"
        rows = self.search(path, f'exposureSetName="{name}"')
        if rows:
            return str(rows[0]["exposureSetId"])
        return self.submit(path, {"exposureSetName": name}, request_id).job_id

    def find_currency(self, name: str) -> dict[str, Any]:
        """A currency record ``{id, code, name}`` by its name or code."""
        rows = self.search("/platform/referencedata/v1/currencies")
        for row in rows:
            if name in (row.get("name"), row.get("code")):
                return {k: row[k] for k in ("id", "code", "name") if k in row}
        raise MoodysApiError(
            "GET", "/platform/referencedata/v1/currencies", 404, None, f"no currency named {name!r}"
        )

    def create_folder(self, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        """``POST /platform/import/v1/folders``: the one create that answers with a JSON body."""
        return self.request(
            "POST", "/platform/import/v1/folders", json=body, request_id=request_id
        ).json()

    # -- polling --------------------------------------------------------------------------------

    def platform_job(self, api: str, job_id: str) -> dict | None:
        """One Platform job; ``None`` for 204 "not ready"; :class:`JobLostError` for 404/410."""
        return self._get_job(f"/platform/{api}/v1/jobs/{job_id}", job_id)

    def workflow(self, workflow_id: str) -> dict | None:
        return self._get_job(f"/riskmodeler/v1/workflows/{workflow_id}", workflow_id)

    def databridge_job_status(self, job_id: str) -> str | None:
        response = self.request("GET", f"/databridge/v1/jobs/{job_id}", accept=(404, 410))
        if response.status_code in (404, 410):
            raise JobLostError(job_id, response.status_code)
        text = response.text.strip()
        return text.strip('"') if text else None

    def _get_job(self, path: str, job_id: str) -> dict | None:
        response = self.request("GET", path, accept=(404, 410))
        if response.status_code in (404, 410):
            raise JobLostError(job_id, response.status_code)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()
