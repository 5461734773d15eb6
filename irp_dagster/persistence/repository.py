"""Queries and status writes over the domain tables.

Every status write goes through :func:`set_job_status` / :func:`set_batch_status` /
:func:`set_configuration_status` / :func:`set_cycle_status`, which ask the domain state machine
first. Recon counts come from SQL aggregates (no Python loop over job rows).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.recon import ReconInput
from irp_dagster.domain.statuses import (
    BATCH_OPEN,
    BATCH_TERMINAL,
    JOB_IN_FLIGHT,
    JOB_TERMINAL,
    BatchStatus,
    ConfigurationStatus,
    CycleStatus,
    JobStatus,
    transition,
)
from irp_dagster.persistence.models import (
    Batch,
    Configuration,
    Cycle,
    Job,
    JobConfiguration,
    utcnow,
)


class NotFoundError(LookupError):
    """A cycle, configuration, batch or job that does not exist."""


# -- status writes ---------------------------------------------------------------------------


def set_job_status(job: Job, target: JobStatus, *, reason: str | None = None) -> bool:
    """Move a job through the state machine; returns whether the status changed."""
    if job.status == target:
        return False
    job.status = transition(job.status, target, entity_label=f"job {job.id}")
    now = utcnow()
    if target is JobStatus.SUBMITTED:
        job.submitted_at = now
    if target in JOB_TERMINAL:
        job.completed_at = now
    if reason is not None:
        job.status_reason = reason
    return True


def set_batch_status(batch: Batch, target: BatchStatus) -> bool:
    if batch.status == target:
        return False
    batch.status = transition(batch.status, target, entity_label=f"batch {batch.id}")
    batch.completed_at = utcnow() if target in BATCH_TERMINAL else None
    if target is BatchStatus.ACTIVE and batch.submitted_at is None:
        batch.submitted_at = utcnow()
    return True


def set_configuration_status(configuration: Configuration, target: ConfigurationStatus) -> bool:
    if configuration.status == target:
        return False
    configuration.status = transition(
        configuration.status, target, entity_label=f"configuration {configuration.id}"
    )
    return True


def set_cycle_status(cycle: Cycle, target: CycleStatus) -> bool:
    if cycle.status == target:
        return False
    cycle.status = transition(cycle.status, target, entity_label=f"cycle {cycle.name}")
    if target is CycleStatus.ARCHIVED:
        cycle.archived_at = utcnow()
    return True


# -- look-ups ----------------------------------------------------------------------------------


def get_cycle(session: Session, name: str) -> Cycle:
    cycle = session.scalar(select(Cycle).where(Cycle.name == name))
    if cycle is None:
        raise NotFoundError(f"Cycle {name!r} does not exist")
    return cycle


def current_configuration(session: Session, cycle_id: int) -> Configuration | None:
    """The newest configuration version of a cycle that is not SUPERSEDED."""
    return session.scalar(
        select(Configuration)
        .where(
            Configuration.cycle_id == cycle_id,
            Configuration.status != ConfigurationStatus.SUPERSEDED,
        )
        .order_by(Configuration.version.desc())
        .limit(1)
    )


def latest_batch(session: Session, configuration_id: int, batch_type: BatchType) -> Batch | None:
    """The open batch of this type, else the newest one."""
    open_first = case((Batch.status.in_(list(BATCH_OPEN)), 0), else_=1)
    return session.scalar(
        select(Batch)
        .where(Batch.configuration_id == configuration_id, Batch.batch_type == batch_type)
        .order_by(open_first, Batch.id.desc())
        .limit(1)
    )


def batch_for_cycle(session: Session, cycle_name: str, batch_type: BatchType) -> Batch | None:
    cycle = get_cycle(session, cycle_name)
    configuration = current_configuration(session, cycle.id)
    if configuration is None:
        return None
    return latest_batch(session, configuration.id, batch_type)






def _all_live_jobs_ended() -> ColumnElement[bool]:
    """No non-skipped job of the (correlated) batch is still in a non-terminal status."""
    live = aliased(Job)
    return ~(
        exists()
        .where(
            live.batch_id == Batch.id,
            live.skipped.is_(False),
            live.status.not_in(list(JOB_TERMINAL)),
        )
        .correlate(Batch)
    )


def batches_ready_for_recon(session: Session) -> list[tuple[int, BatchType, str, str]]:
    """Open batches whose live jobs are all terminal: (batch id, type, cycle, state key).

    The state key changes whenever the batch's jobs change or the batch itself is touched (e.g.
    reopened by an operator), so a sensor run key built from it fires reconciliation once per
    batch state.
    """
    query = (
        select(
            Batch.id,
            Batch.batch_type,
            Cycle.name,
            func.count(Job.id),
            func.max(Job.id),
            func.max(Job.completed_at),
            Batch.updated_at,
        )
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .join(Cycle, Configuration.cycle_id == Cycle.id)
        .outerjoin(Job, Job.batch_id == Batch.id)
        .where(Batch.status.in_([BatchStatus.ACTIVE, BatchStatus.PAUSED]), _all_live_jobs_ended())
        .group_by(Batch.id, Batch.batch_type, Cycle.name, Batch.updated_at)
        .order_by(Batch.id)
    )
    ready = []
    for batch_id, batch_type, cycle, n_jobs, max_job, last_done, touched in session.execute(query):
        stamp = last_done.strftime("%Y%m%dT%H%M%S%f") if last_done else "-"
        reopened = touched.strftime("%Y%m%dT%H%M%S%f")
        ready.append((batch_id, batch_type, cycle, f"{n_jobs}.{max_job}.{stamp}.{reopened}"))
    return ready




def _active_batches_where(
    session: Session, condition: ColumnElement[bool]
) -> list[tuple[int, BatchType, str]]:
    """(batch id, type, cycle) of the ACTIVE batches meeting ``condition``."""
    query = (
        select(Batch.id, Batch.batch_type, Cycle.name)
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .join(Cycle, Configuration.cycle_id == Cycle.id)
        .where(Batch.status == BatchStatus.ACTIVE, condition)
        .order_by(Batch.id)
    )
    return [(b, BatchType(t), c) for b, t, c in session.execute(query)]


# -- recon aggregate -----------------------------------------------------------------------


def _ids(value: str | None) -> tuple[int, ...]:
    return tuple(sorted(int(v) for v in value.split(","))) if value else ()


def recon_input(session: Session, batch_id: int) -> ReconInput:
    """Counts for :func:`irp_dagster.domain.recon.decide_batch_status`, as SQL aggregates."""
    ranked = (
        select(
            JobConfiguration.id.label("cfg_id"),
            Job.id.label("job_id"),
            Job.status.label("status"),
            func.row_number()
            .over(partition_by=JobConfiguration.id, order_by=Job.id.desc())
            .label("rn"),
        )
        .select_from(JobConfiguration)
        .outerjoin(
            Job, and_(Job.job_configuration_id == JobConfiguration.id, Job.skipped.is_(False))
        )
        .where(JobConfiguration.batch_id == batch_id, JobConfiguration.skipped.is_(False))
        .subquery()
    )
    effective_rows = session.execute(
        select(
            ranked.c.status,
            func.count(),
            func.aggregate_strings(cast(ranked.c.job_id, String), ","),
            func.aggregate_strings(cast(ranked.c.cfg_id, String), ","),
        )
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.status)
    ).all()
    effective: dict[JobStatus, int] = {}
    job_ids: dict[JobStatus, tuple[int, ...]] = {}
    awaiting: tuple[int, ...] = ()
    for status, count, jobs, cfgs in effective_rows:
        if status is None:
            awaiting = _ids(cfgs)
        else:
            effective[JobStatus(status)] = count
            job_ids[JobStatus(status)] = _ids(jobs)

    shown_status = case((Job.skipped.is_(True), "SKIPPED"), else_=cast(Job.status, String))
    job_counts = dict(
        session.execute(
            select(shown_status, func.count())
            .where(Job.batch_id == batch_id)
            .group_by(shown_status)
        ).all()
    )
    total, skipped = session.execute(
        select(
            func.count(JobConfiguration.id),
            func.coalesce(func.sum(case((JobConfiguration.skipped.is_(True), 1), else_=0)), 0),
        ).where(JobConfiguration.batch_id == batch_id)
    ).one()
    return ReconInput(
        effective_status_counts=effective,
        awaiting_action_configuration_ids=awaiting,
        total_configurations=total,
        skipped_configurations=skipped,
        job_status_counts={str(k): v for k, v in job_counts.items()},
        failed_job_ids=job_ids.get(JobStatus.FAILED, ()),
        cancelled_job_ids=job_ids.get(JobStatus.CANCELLED, ()),
        error_job_ids=job_ids.get(JobStatus.ERROR, ()),
    )




# -- polling and operations -----------------------------------------------------------------


class TrackedJob(NamedTuple):
    """An in-flight job as the poller reads it before asking Moody's."""

    id: int
    batch_type: BatchType
    family: str
    moodys_job_id: str
    status: JobStatus
    moodys_status: str | None
    progress: float | None
    submitted_at: datetime | None


def tracked_jobs(session: Session, *, polled_before: datetime | None = None) -> list[TrackedJob]:
    """Every in-flight job with a Moody's id, as plain rows (one query, no ORM objects); with
    ``polled_before``, only those not polled since then (never polled: submitted before then)."""
    query = (
        select(
            Job.id,
            Batch.batch_type,
            func.coalesce(Job.moodys_family, "riskdata"),
            Job.moodys_job_id,
            Job.status,
            Job.moodys_status,
            Job.progress,
            Job.submitted_at,
        )
        .join(Batch, Job.batch_id == Batch.id)
        .where(Job.status.in_(list(JOB_IN_FLIGHT)), Job.moodys_job_id.is_not(None))
    )
    if polled_before is not None:
        submitted_long_ago = or_(Job.submitted_at.is_(None), Job.submitted_at < polled_before)
        never = and_(Job.last_polled_at.is_(None), submitted_long_ago)
        query = query.where(or_(Job.last_polled_at < polled_before, never))
    rows = session.execute(query.order_by(Job.id))
    return [TrackedJob(i, BatchType(t), *rest) for i, t, *rest in rows]


class WaitingBatch(NamedTuple):
    batch_id: int
    batch_type: BatchType
    cycle: str
    in_flight: int
    initiated: int
    submitting: int


def batches_waiting_to_submit(session: Session) -> list[WaitingBatch]:
    """ACTIVE batches with live jobs not yet at Moody's, with their in-flight counts."""

    def count(condition: ColumnElement[bool]):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            Batch.id,
            Batch.batch_type,
            Cycle.name,
            count(Job.status.in_(list(JOB_IN_FLIGHT))),
            count(
                and_(
                    Job.status == JobStatus.INITIATED,
                    Job.skipped.is_(False),
                    JobConfiguration.skipped.is_(False),
                )
            ),
            count(Job.status == JobStatus.SUBMITTING),
        )
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .join(Cycle, Configuration.cycle_id == Cycle.id)
        .join(Job, Job.batch_id == Batch.id)
        .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
        .where(Batch.status == BatchStatus.ACTIVE)
        .group_by(Batch.id, Batch.batch_type, Cycle.name)
        .having(count(Job.status.in_([JobStatus.INITIATED, JobStatus.SUBMITTING])) > 0)
        .order_by(Batch.id)
    )
    return [WaitingBatch(b, BatchType(t), c, *n) for b, t, c, *n in session.execute(query)]


def batches_with_stuck_submissions(
    session: Session, *, before: datetime
) -> list[tuple[int, BatchType, str]]:
    """ACTIVE batches with a job SUBMITTING (POST sent, answer never recorded) since ``before``."""
    stuck = exists().where(
        Job.batch_id == Batch.id,
        Job.status == JobStatus.SUBMITTING,
        Job.updated_at < before,
    )
    return _active_batches_where(session, stuck)


def batches_with_stale_recon(
    session: Session, *, before: datetime
) -> list[tuple[int, BatchType, str]]:
    """Open batches whose live jobs are all terminal, whose last recon predates their last
    job outcome (or never happened), and whose last change is older than ``before``."""
    last_change = func.coalesce(func.max(Job.completed_at), Batch.updated_at)
    query = (
        select(Batch.id, Batch.batch_type, Cycle.name)
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .join(Cycle, Configuration.cycle_id == Cycle.id)
        .outerjoin(Job, Job.batch_id == Batch.id)
        .where(Batch.status.in_([BatchStatus.ACTIVE, BatchStatus.PAUSED]), _all_live_jobs_ended())
        .group_by(Batch.id, Batch.batch_type, Cycle.name, Batch.updated_at, Batch.last_recon_at)
        .having(
            or_(Batch.last_recon_at.is_(None), Batch.last_recon_at < last_change),
            last_change < before,
        )
        .order_by(Batch.id)
    )
    return [(b, BatchType(t), c) for b, t, c in session.execute(query)]
