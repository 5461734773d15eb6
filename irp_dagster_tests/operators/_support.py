"""Builders and probes shared by the operator tests (batches written with the ORM in given
job statuses; a recording HTTP server standing in for Moody's and for a webhook receiver)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import (
    JOB_IN_FLIGHT,
    JOB_TERMINAL,
    BatchStatus,
    JobStatus,
)
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import (
    Batch,
    Configuration,
    Cycle,
    Job,
    JobConfiguration,
    JobRetry,
    JobTrackingLog,
    OperatorAction,
    utcnow,
)
from irp_dagster_tests.factories import active_configuration

CYCLE = "2026-Q1"


@dataclass
class Call:
    method: str
    path: str
    body: object


@dataclass
class Recorder:
    """Records every request; answers 202 unless a (method, path) answer is set."""

    calls: list[Call] = field(default_factory=list)
    answers: dict[tuple[str, str], tuple[int, dict]] = field(default_factory=dict)
    base_url: str = ""

    async def endpoint(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = await request.json() if raw else None
        except ValueError:
            body = raw.decode()
        self.calls.append(Call(request.method, request.url.path, body))
        status, payload = self.answers.get((request.method, request.url.path), (202, {}))
        if payload:
            return JSONResponse(payload, status_code=status)
        return Response(status_code=status)


@dataclass
class Built:
    cycle: str
    batch_id: int
    job_ids: list[int]
    configuration_ids: list[int]


def build_batch(
    engine: Engine,
    statuses: list[JobStatus],
    *,
    batch_status: BatchStatus = BatchStatus.ACTIVE,
    batch_type: BatchType = BatchType.EDM_CREATION,
    cycle: str = CYCLE,
    family: str = "riskdata",
) -> Built:
    """A cycle (created once), its configuration and a batch with one job per status."""
    with transaction(engine) as session:
        configuration = active_configuration(session, cycle)
        batch = Batch(configuration_id=configuration.id, batch_type=batch_type, status=batch_status)
        session.add(batch)
        session.flush()
        job_ids, configuration_ids = [], []
        for n, status in enumerate(statuses):
            jc = JobConfiguration(
                batch_id=batch.id, key=f"EDM{n}", data={"Database": f"EDM{n}", "Version": 22}
            )
            session.add(jc)
            session.flush()
            at_moodys = status in JOB_IN_FLIGHT or status in JOB_TERMINAL
            job = Job(
                batch_id=batch.id,
                job_configuration_id=jc.id,
                request_id=str(uuid.uuid4()),
                status=status,
                moodys_family=family if at_moodys else None,
                moodys_job_id=f"M{batch.id}-{n}" if at_moodys else None,
                submitted_at=utcnow() if at_moodys else None,
                last_error="EDM quota exceeded" if status is JobStatus.FAILED else None,
            )
            session.add(job)
            session.flush()
            job_ids.append(job.id)
            configuration_ids.append(jc.id)
        return Built(cycle, batch.id, job_ids, configuration_ids)


def snapshot(engine: Engine) -> dict:
    """Everything an action could write: row counts plus each job's and batch's state."""
    with transaction(engine) as session:
        return {
            "audit": session.scalar(select(func.count()).select_from(OperatorAction)),
            "configs": session.execute(
                select(JobConfiguration.id, JobConfiguration.skipped).order_by(JobConfiguration.id)
            ).all(),
            "jobs": session.execute(
                select(
                    Job.id,
                    Job.status,
                    Job.skipped,
                    Job.moodys_job_id,
                    Job.last_error,
                    Job.status_reason,
                ).order_by(Job.id)
            ).all(),
            "config_data": session.execute(
                select(JobConfiguration.id, JobConfiguration.data).order_by(JobConfiguration.id)
            ).all(),
            "retries": session.scalar(select(func.count()).select_from(JobRetry)),
            "tracking": session.scalar(select(func.count()).select_from(JobTrackingLog)),
            "configurations": session.execute(select(Configuration.id, Configuration.status)).all(),
            "batches": session.execute(select(Batch.id, Batch.status).order_by(Batch.id)).all(),
            "cycles": session.execute(select(Cycle.name, Cycle.status)).all(),
        }


def audit_rows(engine: Engine) -> list[OperatorAction]:
    with transaction(engine) as session:
        return list(session.scalars(select(OperatorAction).order_by(OperatorAction.id)))


def job(engine: Engine, job_id: int) -> Job:
    with transaction(engine) as session:
        return session.get(Job, job_id)


def batch(engine: Engine, batch_id: int) -> Batch:
    with transaction(engine) as session:
        return session.get(Batch, batch_id)


def job_data(engine: Engine, job_id: int) -> dict:
    """The configuration data a job was (or will be) submitted with."""
    with transaction(engine) as session:
        return session.get(Job, job_id).job_configuration.data


def fail_at_moodys(engine: Engine, job_id: int, message: str = "failed at Moody's") -> None:
    """What submission and polling write when Moody's fails a job."""
    from irp_dagster.persistence.repository import set_job_status

    with transaction(engine) as session:
        job = session.get(Job, job_id)
        for status in (JobStatus.SUBMITTING, JobStatus.SUBMITTED, JobStatus.FAILED):
            set_job_status(job, status)
        job.moodys_job_id, job.last_error = f"R{job_id}", message
