"""Poll every in-flight job at Moody's in bulk, once per sensor tick.

Per family: Platform jobs through ``GET /platform/{api}/v1/jobs?filter=jobId IN (...)`` (pages of
100), legacy workflows through ``GET /riskmodeler/v1/workflows?ids=``; ids missing from a bulk
answer are fetched one by one, a 404/410 makes the job LOST (FAILED with that reason) and a 204
means "not ready". A tracking-log row is written when a job's status or progress changes, with
the raw payload; ``last_polled_at`` is updated on every poll. Unknown statuses keep the job
in flight and are logged as warnings, never a crash.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from irp_dagster.domain.statuses import JobStatus, map_moodys_status
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.moodys.errors import JobLostError, MoodysApiError
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job, JobTrackingLog, utcnow
from irp_dagster.persistence.repository import in_flight_jobs, set_job_status

log = logging.getLogger(__name__)

LOST = "LOST"
TIMEOUT = "TIMEOUT"


@dataclass
class PollReport:
    polled: int = 0
    changed: int = 0
    finished: int = 0
    lost: list[int] = field(default_factory=list)
    unknown_statuses: dict[int, str] = field(default_factory=dict)
    not_ready: int = 0
    timed_out: list[int] = field(default_factory=list)


_NOT_READY = object()


def _fetch(client: MoodysClient, family: str, ids: list[str]) -> dict[str, Any]:
    """Moody's payload per id: a dict, ``_NOT_READY``, or a :class:`JobLostError`."""
    if family == "workflow":
        found: dict[str, Any] = client.workflows(ids)
        single = client.workflow
    elif family == "databridge":
        found, single = {}, client.databridge_job_status
    else:
        found = client.platform_jobs(family, ids)

        def single(job_id: str) -> dict | None:
            return client.platform_job(family, job_id)

    for missing in (i for i in ids if i not in found):
        try:
            payload = single(missing)
        except JobLostError as lost:
            found[missing] = lost
            continue
        if isinstance(payload, str):
            payload = {"status": payload}
        found[missing] = payload if payload is not None else _NOT_READY
    return found


def _progress(payload: dict) -> float | None:
    value = payload.get("progress", payload.get("percentComplete"))
    return float(value) if isinstance(value, int | float) else None


def _apply(job: Job, payload: Any, report: PollReport) -> dict | None:
    """Write one poll's answer onto the job; return the payload to log if anything changed."""
    if payload is _NOT_READY:
        report.not_ready += 1
        return None
    if isinstance(payload, JobLostError):
        set_job_status(job, JobStatus.FAILED, reason=LOST)
        job.last_error = str(payload)
        job.moodys_status = f"HTTP {payload.status_code}"
        report.lost.append(job.id)
        report.changed += 1
        return {"lost": payload.status_code}
    raw = payload.get("status")
    mapped = map_moodys_status(raw)
    progress = _progress(payload)
    if mapped is None:
        report.unknown_statuses[job.id] = str(raw)
        log.warning("Job %s (Moody's %s) has unknown status %r", job.id, job.moodys_job_id, raw)
    changed = raw != job.moodys_status or (progress is not None and progress != job.progress)
    job.moodys_status = raw
    if progress is not None:
        job.progress = progress
    if mapped is not None and set_job_status(job, mapped):
        changed = True
        if mapped is JobStatus.FINISHED:
            report.finished += 1
        elif mapped is JobStatus.FAILED:
            job.last_error = failure_message(payload)
    if not changed:
        return None
    report.changed += 1
    return payload


def failure_message(payload: dict) -> str:
    """The task errors and summary of a FAILED Moody's job, as one sentence."""
    messages = [
        error.get("message", "")
        for task in payload.get("tasks") or payload.get("jobs") or []
        for error in ((task.get("output") or {}).get("errors") or [])
        if isinstance(error, dict)
    ]
    summary = (payload.get("details") or {}).get("summary") or payload.get("summary")
    return "; ".join(m for m in [*messages, summary if isinstance(summary, str) else ""] if m)


def poll_in_flight(
    engine: Engine, client: MoodysClient, *, max_poll_hours: float | None = None
) -> PollReport:
    """One polling pass over every in-flight job; one transaction for all the writes.

    Jobs still in flight ``max_poll_hours`` after submission are cancelled at Moody's and
    FAILED with reason TIMEOUT.
    """
    report = PollReport()
    with transaction(engine) as session:
        by_family: dict[str, dict[int, tuple[str, JobStatus]]] = defaultdict(dict)
        for job in in_flight_jobs(session):
            by_family[job.moodys_family or "riskdata"][job.id] = (job.moodys_job_id, job.status)
    payloads: dict[tuple[str, str], Any] = {}
    for family, jobs in by_family.items():
        fetched = _fetch(client, family, [moodys_id for moodys_id, _ in jobs.values()])
        payloads.update({(family, moodys_id): p for moodys_id, p in fetched.items()})

    now = utcnow()
    with transaction(engine) as session:
        for family, jobs in by_family.items():
            for job_id, (moodys_id, polled_status) in jobs.items():
                job = session.get(Job, job_id)
                if job is None or job.status != polled_status:
                    continue  # changed meanwhile (an operator action): next tick sees it
                logged = _apply(job, payloads.get((family, moodys_id), _NOT_READY), report)
                job.last_polled_at = now
                report.polled += 1
                if logged is not None:
                    session.add(
                        JobTrackingLog(
                            job_id=job.id,
                            tracked_at=now,
                            moodys_job_id=moodys_id,
                            status=job.status,
                            moodys_status=job.moodys_status,
                            progress=job.progress,
                            payload=logged,
                        )
                    )
    if max_poll_hours is not None:
        _time_out(engine, client, now - timedelta(hours=max_poll_hours), report)
    return report


def cancel_at_moodys(client: MoodysClient, family: str, moodys_job_id: str) -> None:
    """The cancel call of a job's family (Platform PATCH, legacy workflow DELETE)."""
    if family == "workflow":
        client.request("DELETE", f"/riskmodeler/v1/workflows/{moodys_job_id}")
    elif family != "databridge":
        client.request(
            "PATCH", f"/platform/{family}/v1/jobs/{moodys_job_id}", json={"status": "CANCELLED"}
        )


def _time_out(engine: Engine, client: MoodysClient, cutoff: datetime, report: PollReport) -> None:
    with transaction(engine) as session:
        overdue = [
            (job.id, job.moodys_family, job.moodys_job_id)
            for job in in_flight_jobs(session, submitted_before=cutoff)
        ]
    for job_id, family, moodys_job_id in overdue:
        try:
            cancel_at_moodys(client, family or "riskdata", moodys_job_id)
        except MoodysApiError as error:
            log.warning("Cancelling timed-out job %s failed: %s", job_id, error)
        with transaction(engine) as session:
            job = session.get(Job, job_id)
            if set_job_status(job, JobStatus.FAILED, reason=TIMEOUT):
                job.last_error = f"No result from Moody's job {moodys_job_id} before {cutoff}"
                report.timed_out.append(job_id)
