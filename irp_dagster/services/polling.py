"""Poll every in-flight job at Moody's in bulk, once per sensor tick.

Per family: Platform jobs through ``GET /platform/{api}/v1/jobs?filter=jobId IN (...)`` (one call
per 100 ids per API), legacy workflows through ``GET /riskmodeler/v1/workflows?ids=`` (100 per
call), Data Bridge jobs with one GET each (it has no bulk read). Ids missing from a bulk answer
are fetched one by one; 404/410 makes the job LOST (FAILED with that reason); 204 means "not
ready" (for a bulk call: every id of it). A tracking-log row is written when a job's status or
progress changes, with the raw payload; ``last_polled_at`` is updated on every poll. Unknown
statuses keep the job in flight and are logged as warnings. Jobs in flight longer than their
batch type's maximum poll duration are cancelled at Moody's and FAILED with reason TIMEOUT.
Every HTTP retry is recorded in ``job_retry`` (``job_id`` None for bulk calls). A call that
fails for good (Moody's unreachable, 5xx after the retries) ends the tick's reads; what was
read so far is still written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JOB_IN_FLIGHT, JobStatus, can_transition
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.moodys.errors import JobLostError, MoodysApiError
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job, JobTrackingLog, utcnow
from irp_dagster.persistence.repository import TrackedJob, set_job_status, tracked_jobs
from irp_dagster.services.poll_reads import (
    NOT_READY,
    Aborted,
    Reader,
    failure_message,
    map_status,
    progress_of,
)
from irp_dagster.settings import Settings

log = logging.getLogger(__name__)

LOST = "LOST"
TIMEOUT = "TIMEOUT"
_WRITE_CHUNK = 500

__all__ = ["LOST", "TIMEOUT", "PollReport", "cancel_at_moodys", "failure_message", "poll_in_flight"]


@dataclass
class PollReport:
    polled: int = 0
    changed: int = 0
    finished: int = 0
    failed: int = 0
    lost: list[int] = field(default_factory=list)
    unknown_statuses: dict[int, str] = field(default_factory=dict)
    not_ready: int = 0
    timed_out: list[int] = field(default_factory=list)
    calls: int = 0  # HTTP requests sent (retries not counted)
    retries: int = 0
    error: str | None = None  # the call that failed for good and ended the tick's reads

    def summary(self) -> str:
        text = (
            f"polled {self.polled}, changed {self.changed}, finished {self.finished}, "
            f"failed {self.failed}, lost {len(self.lost)}, timed out {len(self.timed_out)}, "
            f"not ready {self.not_ready}, unknown status {len(self.unknown_statuses)}, "
            f"{self.calls} call(s), {self.retries} retry(ies)"
        )
        return f"{text}; stopped: {self.error}" if self.error else text


def _changed(job: TrackedJob, answer: Any) -> bool:
    if answer is NOT_READY:
        return False
    if isinstance(answer, JobLostError):
        return True
    progress = progress_of(answer)
    mapped = map_status(job.family, answer.get("status"))
    return (
        answer.get("status") != job.moodys_status
        or (progress is not None and progress != job.progress)
        or (mapped is not None and mapped != job.status)
    )


def _apply(job: Job, family: str, answer: Any, report: PollReport) -> dict:
    """Write one changed answer onto the job; return the payload for the tracking log."""
    if isinstance(answer, JobLostError):
        set_job_status(job, JobStatus.FAILED, reason=LOST)
        job.last_error = str(answer)
        job.moodys_status = f"HTTP {answer.status_code}"
        report.lost.append(job.id)
        return {"lost": answer.status_code, "moodys_job_id": job.moodys_job_id}
    raw = answer.get("status")
    mapped = map_status(family, raw)
    if mapped is not None and not can_transition(job.status, mapped):
        log.warning("Job %s: Moody's says %r, not a move from %s", job.id, raw, job.status)
        mapped = None
    if mapped is None:
        report.unknown_statuses[job.id] = str(raw)
        log.warning("Job %s (Moody's %s) has unknown status %r", job.id, job.moodys_job_id, raw)
    job.moodys_status = None if raw is None else str(raw)[:50]
    progress = progress_of(answer)
    if progress is not None:
        job.progress = progress
    if mapped is not None and set_job_status(job, mapped):
        if mapped is JobStatus.FINISHED:
            report.finished += 1
        elif mapped is JobStatus.FAILED:
            report.failed += 1
            job.last_error = failure_message(answer) or f"Moody's job {job.moodys_job_id} FAILED"
    return answer


def _write(
    engine: Engine,
    tracked: dict[int, TrackedJob],
    answers: dict[int, Any],
    now: datetime,
    report: PollReport,
) -> None:
    """One transaction: changed jobs through the state machine plus their tracking rows, a bulk
    ``last_polled_at`` for the others."""
    changed = [job_id for job_id, answer in answers.items() if _changed(tracked[job_id], answer)]
    changed_ids = set(changed)
    quiet = [job_id for job_id in answers if job_id not in changed_ids]
    report.not_ready += sum(1 for answer in answers.values() if answer is NOT_READY)
    with transaction(engine) as session:
        for start in range(0, len(changed), _WRITE_CHUNK):
            ids = changed[start : start + _WRITE_CHUNK]
            for job in session.scalars(select(Job).where(Job.id.in_(ids))):
                seen = tracked[job.id]
                if job.status != seen.status:
                    continue  # changed meanwhile (an operator action): the next tick sees it
                payload = _apply(job, seen.family, answers[job.id], report)
                job.last_polled_at = now
                report.polled += 1
                report.changed += 1
                session.add(
                    JobTrackingLog(
                        job_id=job.id,
                        tracked_at=now,
                        moodys_job_id=seen.moodys_job_id,
                        status=job.status,
                        moodys_status=job.moodys_status,
                        progress=job.progress,
                        payload=payload,
                    )
                )
        for start in range(0, len(quiet), _WRITE_CHUNK):
            ids = quiet[start : start + _WRITE_CHUNK]
            session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.status.in_(list(JOB_IN_FLIGHT)))
                .values(last_polled_at=now),
                execution_options={"synchronize_session": False},
            )
            report.polled += len(ids)


def _limit_hours(limits: float | Mapping[str, float] | None, job: TrackedJob) -> float | None:
    if limits is None or isinstance(limits, int | float):
        return limits
    return limits.get(str(job.batch_type))


def _time_out(
    engine: Engine, reader: Reader, overdue: list[tuple[TrackedJob, float]], report: PollReport
) -> None:
    """Cancel overdue jobs at Moody's (best effort), then FAIL them with reason TIMEOUT."""
    refused: dict[int, str] = {}
    for job, _ in overdue:
        if reader.error:
            return  # Moody's is down: the next tick cancels them
        try:
            with reader.call(job.id):
                cancel_at_moodys(reader.client, job.family, job.moodys_job_id)
        except MoodysApiError as error:
            refused[job.id] = f"; Moody's refused the cancel: {error}"
        except Aborted:
            return
    with transaction(engine) as session:
        for job, hours in overdue:
            row = session.get(Job, job.id)
            if row is None or row.status not in JOB_IN_FLIGHT:
                continue
            set_job_status(row, JobStatus.FAILED, reason=TIMEOUT)
            row.last_error = (
                f"Moody's job {job.moodys_job_id} still {row.moodys_status or row.status} after "
                f"the maximum poll duration of {job.batch_type} ({hours:g} h)"
                + refused.get(job.id, "; cancelled at Moody's")
            )
            report.timed_out.append(job.id)


def poll_limits(settings: Settings) -> dict[str, float]:
    """The maximum poll duration (hours) of every batch type, from the settings."""
    return {str(t): settings.max_poll_hours_for(t) for t in BatchType}


def poll_in_flight(
    engine: Engine,
    client: MoodysClient,
    *,
    max_poll_hours: float | Mapping[str, float] | None = None,
    polled_before: datetime | None = None,
) -> PollReport:
    """One polling pass over every in-flight job (or those not polled since ``polled_before``).

    ``max_poll_hours``: one limit for all jobs, or a limit per batch type; jobs in flight longer
    than that since submission are cancelled at Moody's and FAILED with reason TIMEOUT.
    """
    report = PollReport()
    reader = Reader(engine, client)
    with transaction(engine) as session:
        jobs = tracked_jobs(session, polled_before=polled_before)
    by_family: dict[str, list[TrackedJob]] = {}
    for job in jobs:
        by_family.setdefault(job.family, []).append(job)
    answers: dict[int, Any] = {}
    try:
        for family, family_jobs in by_family.items():
            reader.read_family(family, family_jobs, answers)
    except Aborted:
        pass  # keep what was read
    now = utcnow()
    tracked = {job.id: job for job in jobs}
    _write(engine, tracked, answers, now, report)
    ended = {i for i, answer in answers.items() if _ends(tracked[i], answer)}
    overdue = [
        (job, limit)
        for job in jobs
        if job.id in answers
        and job.id not in ended
        and job.submitted_at is not None
        and (limit := _limit_hours(max_poll_hours, job)) is not None
        and job.submitted_at < now - timedelta(hours=limit)
    ]
    if overdue:
        _time_out(engine, reader, overdue, report)
    report.calls, report.retries, report.error = reader.calls, reader.retries, reader.error
    return report


def _ends(job: TrackedJob, answer: Any) -> bool:
    if isinstance(answer, JobLostError):
        return True
    if answer is NOT_READY:
        return False
    mapped = map_status(job.family, answer.get("status"))
    return mapped is not None and mapped not in JOB_IN_FLIGHT


def cancel_at_moodys(client: MoodysClient, family: str, moodys_job_id: str) -> None:
    """The cancel call of a job's family (Platform PATCH, legacy workflow DELETE); Data Bridge
    jobs cannot be cancelled, so nothing is sent for them."""
    if family == "workflow":
        client.request("DELETE", f"/riskmodeler/v1/workflows/{moodys_job_id}")
    elif family != "databridge":
        client.request(
            "PATCH", f"/platform/{family}/v1/jobs/{moodys_job_id}", json={"status": "CANCELLED"}
        )
