"""The polling sensor's reads at Moody's: bulk pages per family, single GETs for the rest.

Platform jobs: ``GET /platform/{api}/v1/jobs?filter=jobId IN (...)``, 100 ids per call; legacy
v1 workflows: ``GET /riskmodeler/v1/workflows?ids=``, 100 per call; Data Bridge: one
``GET /databridge/v1/jobs/{id}`` each (a plain string; it has no bulk read). An answer is the
job's payload, :data:`NOT_READY` (204) or a :class:`JobLostError` (404/410). Every retry is
recorded in ``job_retry`` against its job (None for bulk calls). A call that fails for good
(Moody's unreachable, 5xx/429 after the retries) raises :class:`Aborted`; a definitive 4xx only
leaves that call's jobs unanswered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from irp_dagster.domain.statuses import JobStatus, map_moodys_status
from irp_dagster.moodys.client import PAGE_SIZE, MoodysClient, RetryEvent
from irp_dagster.moodys.errors import (
    JobLostError,
    MoodysApiError,
    MoodysError,
    MoodysUnreachableError,
)
from irp_dagster.persistence.repository import TrackedJob
from irp_dagster.services.batches import record_retry

log = logging.getLogger(__name__)

#: Data Bridge answers Hangfire job states as a plain string.
DATABRIDGE_STATUSES = {
    "enqueued": JobStatus.QUEUED,
    "scheduled": JobStatus.QUEUED,
    "awaiting": JobStatus.PENDING,
    "processing": JobStatus.RUNNING,
    "succeeded": JobStatus.FINISHED,
    "failed": JobStatus.FAILED,
    "deleted": JobStatus.CANCELLED,
}

NOT_READY: Any = type("NotReady", (), {"__repr__": lambda self: "NOT_READY"})()


def map_status(family: str, raw: Any) -> JobStatus | None:
    """Our status for a Moody's status of this family; ``None`` when unknown."""
    if family == "databridge" and isinstance(raw, str):
        return DATABRIDGE_STATUSES.get(raw.strip().lower())
    return map_moodys_status(raw) if isinstance(raw, str) else None


def progress_of(payload: dict) -> float | None:
    value = payload.get("progress", payload.get("percentComplete"))
    return float(value) if isinstance(value, int | float) else None


class Aborted(Exception):
    """A call failed for good: stop reading for this tick."""


class Reader:
    """One tick's reads: counts calls and retries, attributes retries to jobs."""

    def __init__(self, engine: Engine, client: MoodysClient) -> None:
        self.engine, self.client = engine, client
        self.calls = self.retries = 0
        self.error: str | None = None

    @contextmanager
    def call(self, job_id: int | None = None) -> Iterator[None]:
        """One logical request; its retries are recorded against ``job_id``."""
        previous, recorder = self.client.on_retry, record_retry(self.engine, job_id)

        def record(event: RetryEvent) -> None:
            self.retries += 1
            recorder(event)
            if previous is not None:
                previous(event)

        self.client.on_retry = record
        self.calls += 1
        try:
            yield
        except (MoodysUnreachableError, MoodysApiError) as error:
            if isinstance(error, MoodysApiError) and error.is_definitive:
                log.warning("Moody's refused a call (job %s): %s", job_id, error)
                raise
            raise self._abort(error) from error
        finally:
            self.client.on_retry = previous

    def _abort(self, error: MoodysError) -> Aborted:
        self.error = str(error)
        log.error("Polling stopped for this tick: %s", error)
        return Aborted()

    def bulk(self, path: str, params: dict[str, Any], rows_key: str | None) -> list[dict] | None:
        """One bulk read; ``None`` when Moody's answers 204 (not ready)."""
        with self.call():
            response = self.client.request("GET", path, params={**params, "limit": PAGE_SIZE})
        if response.status_code == 204 or not response.content:
            return None
        body = response.json()
        return body.get(rows_key, []) if rows_key else body

    def single(self, family: str, moodys_id: str, job_id: int) -> Any:
        """One job's answer: its payload, ``NOT_READY`` or a :class:`JobLostError`."""
        client = self.client
        try:
            with self.call(job_id):
                if family == "workflow":
                    payload = client.workflow(moodys_id)
                elif family == "databridge":
                    status = client.databridge_job_status(moodys_id)
                    payload = None if status is None else {"status": status}
                else:
                    payload = client.platform_job(family, moodys_id)
            failed = payload and map_status(family, payload["status"]) is JobStatus.FAILED
            if family == "databridge" and failed:  # why is on a second route
                with self.call(job_id):
                    path = f"/databridge/v1/jobs/{moodys_id}/details"
                    payload["error"] = client.request("GET", path).json().get("error")
        except JobLostError as lost:
            return lost
        return NOT_READY if payload is None else payload

    def read_family(self, family: str, jobs: list[TrackedJob], answers: dict[int, Any]) -> None:
        """Put the answers of one family's jobs into ``answers`` (by job id)."""
        job_ids = {job.moodys_job_id: job.id for job in jobs}
        ids = list(job_ids)
        refused: set[str] = set()
        for start in range(0, len(ids) if family != "databridge" else 0, PAGE_SIZE):
            chunk = ids[start : start + PAGE_SIZE]
            try:
                rows, key = self._bulk_family(family, chunk)
            except MoodysApiError:
                refused.update(chunk)  # refused for good: not polled this tick
                continue
            if rows is None:
                answers.update({job_ids[i]: NOT_READY for i in chunk})
                continue
            wanted = set(chunk)
            answers.update({job_ids[str(r[key])]: r for r in rows if str(r[key]) in wanted})
        for job in jobs:
            if job.id not in answers and job.moodys_job_id not in refused:
                try:
                    answers[job.id] = self.single(family, job.moodys_job_id, job.id)
                except MoodysApiError:
                    continue  # refused for this job only: not polled this tick

    def _bulk_family(self, family: str, chunk: list[str]) -> tuple[list[dict] | None, str]:
        if family == "workflow":
            rows = self.bulk("/riskmodeler/v1/workflows", {"ids": ",".join(chunk)}, "workflows")
            return rows, "id"
        quoted = ",".join(f'"{i}"' for i in chunk)
        rows = self.bulk(f"/platform/{family}/v1/jobs", {"filter": f"jobId IN ({quoted})"}, None)
        return rows, "jobId"


def failure_message(payload: dict) -> str:
    """The task errors, error messages and summary of a FAILED Moody's job, as one sentence."""
    messages: list[str] = []
    for task in payload.get("tasks") or payload.get("jobs") or []:
        errors = (task.get("output") or {}).get("errors") if isinstance(task, dict) else None
        if isinstance(errors, str):
            messages.append(errors)
        for error in errors if isinstance(errors, list) else []:
            messages.append(error.get("message", "") if isinstance(error, dict) else str(error))
    for message in payload.get("messages") or []:
        if isinstance(message, dict) and message.get("type") == "ERROR":
            messages.append(str(message.get("message", "")))
    summary = (payload.get("details") or {}).get("summary") or payload.get("summary")
    if isinstance(summary, dict):
        summary = summary.get("status")
    messages += [m for m in (summary, payload.get("error")) if isinstance(m, str)]
    return "; ".join(dict.fromkeys(m.strip() for m in messages if m and m.strip()))
