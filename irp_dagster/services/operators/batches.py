"""Batch- and cycle-level actions: pause, resume, Moody's priority, archive a cycle.

A PAUSED batch submits nothing new (``submit_batch`` returns early) while its in-flight jobs are
still polled. The Moody's priority (``verylow`` .. ``veryhigh``) of a batch's Platform jobs that
have not started yet is changed with ``PATCH /platform/{api}/v1/jobs/{id}`` ``{"priority": p}``
(Moody's refuses it once a job runs); the latest priority set on a batch is kept in its audit
rows (:func:`batch_priority`) and maps onto the ``dagster/priority`` run tag
(:func:`dagster_priority`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from irp_dagster.domain.statuses import (
    BATCH_OPEN,
    BATCH_TERMINAL,
    JOB_IN_FLIGHT,
    BatchStatus,
    CycleStatus,
    JobStatus,
)
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.moodys.errors import MoodysError
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Configuration, Cycle, Job, OperatorAction
from irp_dagster.persistence.repository import set_batch_status, set_cycle_status
from irp_dagster.services.operators._common import (
    ActionResult,
    Audit,
    OperatorActionError,
    load_batch,
    optional_reason,
    reopen,
    require_actor,
)
from irp_dagster.services.operators.resubmit import submit_after

NOT_PLATFORM = ("workflow", "databridge", "sync")
#: Moody's job priorities, lowest first, and the Dagster run priority each maps onto.
PRIORITIES = {"verylow": -2, "low": -1, "medium": 0, "high": 1, "veryhigh": 2}
#: Jobs whose Moody's priority may still change (not running yet).
NOT_RUNNING = (JobStatus.SUBMITTED, JobStatus.QUEUED, JobStatus.PENDING)


def _batch_action(
    engine: Engine,
    batch_id: int,
    action: str,
    target: BatchStatus,
    allowed: tuple[BatchStatus, ...],
    refusal: str,
    actor: str,
    reason: str | None,
) -> ActionResult:
    note = optional_reason(reason)
    with transaction(engine) as session:
        batch, cycle = load_batch(session, batch_id)
        if batch.status not in allowed:
            raise OperatorActionError(f"Batch {batch_id} is {batch.status}; {refusal}")
        before = str(batch.status)
        set_batch_status(batch, target)
        reopen(batch)
        return Audit(action, "batch", batch_id, cycle.name, actor, note).record(
            session,
            f"Batch {batch_id} ({batch.batch_type}) {before} -> {batch.status}",
            before={"batch_status": before},
            after={"batch_status": str(batch.status)},
            batch_ids=(batch_id,),
        )


def pause_batch(
    engine: Engine, batch_id: int, *, actor: str, reason: str | None = None
) -> ActionResult:
    """Stop submitting the batch's waiting jobs; in-flight jobs are still tracked."""
    require_actor(actor)
    return _batch_action(
        engine,
        batch_id,
        "pause_batch",
        BatchStatus.PAUSED,
        (BatchStatus.INITIATED, BatchStatus.ACTIVE),
        "only an INITIATED or ACTIVE batch can be paused",
        actor,
        reason,
    )


def resume_batch(
    engine: Engine,
    batch_id: int,
    *,
    actor: str,
    reason: str | None = None,
    client: MoodysClient | None = None,
    max_in_flight: int | None = None,
) -> ActionResult:
    """Let a PAUSED batch submit again (at once with a ``client``, else by the sensor)."""
    require_actor(actor)
    result = _batch_action(
        engine,
        batch_id,
        "resume_batch",
        BatchStatus.ACTIVE,
        (BatchStatus.PAUSED,),
        "only a PAUSED batch can be resumed",
        actor,
        reason,
    )
    return submit_after(engine, client, result, max_in_flight)


def batch_priorities(session: Session, batch_ids: Iterable[int]) -> dict[int, str]:
    """The priority last set by an operator on each of these batches (absent if never): one
    query for all of them."""
    ids = list(batch_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(OperatorAction.target_id, OperatorAction.after)
        .where(
            OperatorAction.action == "set_priority",
            OperatorAction.target_type == "batch",
            OperatorAction.target_id.in_(ids),
        )
        .order_by(OperatorAction.id)
    )
    return {target: str(after["priority"]) for target, after in rows if after}


def batch_priority(session: Session, batch_id: int) -> str | None:
    """The priority last set on the batch by an operator (None if never)."""
    return batch_priorities(session, [batch_id]).get(batch_id)


def dagster_priority(level: str) -> int:
    """The ``dagster/priority`` run tag value of a Moody's priority level."""
    return PRIORITIES[level]


def patch_priority(client: MoodysClient, api: str, moodys_job_id: str, level: str) -> None:
    """``PATCH /platform/{api}/v1/jobs/{id}`` with ``{"priority": level}`` (never a status)."""
    client.request("PATCH", f"/platform/{api}/v1/jobs/{moodys_job_id}", json={"priority": level})


def set_priority(
    engine: Engine,
    client: MoodysClient,
    batch_id: int,
    priority: str,
    *,
    actor: str,
    reason: str | None = None,
) -> ActionResult:
    """Re-prioritise the batch's not-yet-running Platform jobs at Moody's; record the level."""
    require_actor(actor)
    note = optional_reason(reason)
    level = str(priority).strip().lower()
    if level not in PRIORITIES:
        raise OperatorActionError(f"Priority must be one of {', '.join(PRIORITIES)}")
    with transaction(engine) as session:
        batch, cycle = load_batch(session, batch_id)
        if batch.status in BATCH_TERMINAL:
            raise OperatorActionError(f"Batch {batch_id} is {batch.status}; nothing runs any more")
        jobs = session.execute(
            select(Job.id, Job.moodys_family, Job.moodys_job_id, Job.status)
            .where(Job.batch_id == batch_id, Job.status.in_(list(JOB_IN_FLIGHT)))
            .order_by(Job.id)
        ).all()
        previous = batch_priority(session, batch_id)
        cycle_name = cycle.name
    platform = [
        (i, f or "riskdata", m)
        for i, f, m, status in jobs
        if (f or "riskdata") not in NOT_PLATFORM and m and status in NOT_RUNNING
    ]
    refused: dict[str, str] = {}
    for job_id, api, moodys_job_id in platform:
        try:
            patch_priority(client, api, moodys_job_id, level)
        except MoodysError as error:
            refused[str(job_id)] = str(error)
    if platform and len(refused) == len(platform):
        raise OperatorActionError(
            f"Moody's refused every priority change of batch {batch_id}: "
            + "; ".join(f"job {i}: {e}" for i, e in refused.items())
        )
    patched = [i for i, _, _ in platform if str(i) not in refused]
    chosen = {i for i, _, _ in platform}
    after = {
        "priority": level,
        "dagster_priority": dagster_priority(level),
        "patched_job_ids": patched,
        "refused_by_moodys": refused,
        "unchanged_job_ids": [i for i, *_ in jobs if i not in chosen],
    }
    with transaction(engine) as session:
        load_batch(session, batch_id)  # locked, and its cycle still ACTIVE
        message = f"Batch {batch_id}: priority {level}; {len(patched)} Moody's job(s) updated"
        if refused:
            message += f"; Moody's refused {len(refused)}: " + "; ".join(refused.values())
        return Audit("set_priority", "batch", batch_id, cycle_name, actor, note).record(
            session, message, before={"priority": previous}, after=after, batch_ids=(batch_id,)
        )


def archive_cycle(
    engine: Engine, cycle_name: str, *, actor: str, reason: str | None = None
) -> ActionResult:
    """Retire a cycle (ARCHIVED); refused while any of its batches is open."""
    require_actor(actor)
    note = optional_reason(reason)
    with transaction(engine) as session:
        cycle = session.scalar(select(Cycle).where(Cycle.name == cycle_name).with_for_update())
        if cycle is None:
            raise OperatorActionError(f"Cycle {cycle_name!r} does not exist")
        if cycle.status is CycleStatus.ARCHIVED:
            raise OperatorActionError(f"Cycle {cycle_name!r} is already ARCHIVED")
        open_batches = session.execute(
            select(Batch.id, Batch.batch_type, Batch.status)
            .join(Configuration, Batch.configuration_id == Configuration.id)
            .where(Configuration.cycle_id == cycle.id, Batch.status.in_(list(BATCH_OPEN)))
            .order_by(Batch.id)
        ).all()
        if open_batches:
            listed = ", ".join(f"{t} (batch {i}, {s})" for i, t, s in open_batches)
            raise OperatorActionError(
                f"Cycle {cycle_name!r} has open batches: {listed}; cancel or finish them first"
            )
        set_cycle_status(cycle, CycleStatus.ARCHIVED)
        return Audit("archive_cycle", "cycle", cycle.id, cycle_name, actor, note).record(
            session,
            f"Cycle {cycle_name} archived",
            before={"cycle_status": str(CycleStatus.ACTIVE)},
            after={"cycle_status": str(cycle.status)},
        )
