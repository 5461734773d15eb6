"""What every operator action shares: refusals, look-ups, the audit row, the result.

An action validates first and raises :class:`OperatorActionError` before writing anything; its
writes and its ``operator_action`` audit row then go in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BATCH_TERMINAL, BatchStatus, CycleStatus
from irp_dagster.persistence.models import (
    Batch,
    Configuration,
    Cycle,
    Job,
    JobConfiguration,
    OperatorAction,
    utcnow,
)
from irp_dagster.persistence.repository import NotFoundError, batch_for_cycle, set_batch_status


class OperatorActionError(ValueError):
    """An operator action refused (bad input, wrong state, Moody's said no); nothing written."""


@dataclass(frozen=True)
class ActionResult:
    """What an action did: its audit row and the batches to reconcile again."""

    action: str
    audit_id: int
    target_type: str
    target_id: int | None
    cycle: str | None
    message: str
    batch_ids: tuple[int, ...] = ()
    new_job_ids: tuple[int, ...] = ()
    after: dict[str, Any] = field(default_factory=dict)


MAX_REASON = 1000  # the width of the reason columns


def optional_reason(reason: str | None) -> str | None:
    """The stripped reason (None when blank); refused when longer than the reason columns."""
    text = reason.strip() if reason else ""
    if len(text) > MAX_REASON:
        raise OperatorActionError(f"The reason is {len(text)} characters; at most {MAX_REASON}")
    return text or None


def require_actor(actor: str) -> str:
    if not actor or not actor.strip():
        raise OperatorActionError("An actor is mandatory for every operator action")
    return actor.strip()


def require_reason(reason: str | None, what: str) -> str:
    """The stripped reason, or a refusal naming the action that needs one."""
    text = optional_reason(reason)
    if text is None:
        raise OperatorActionError(f"A reason is mandatory to {what}")
    return text


def cycle_of_batch(session: Session, batch: Batch) -> Cycle:
    return session.scalar(
        select(Cycle)
        .join(Configuration, Configuration.cycle_id == Cycle.id)
        .where(Configuration.id == batch.configuration_id)
    )


def _require_active_cycle(cycle: Cycle) -> None:
    if cycle.status is not CycleStatus.ACTIVE:
        raise OperatorActionError(f"Cycle {cycle.name!r} is {cycle.status}; it takes no actions")


def load_batch(session: Session, batch_id: int, *, lock: bool = True) -> tuple[Batch, Cycle]:
    """The batch and its cycle (which must be ACTIVE); rows locked on PostgreSQL."""
    query = select(Batch).where(Batch.id == batch_id)
    batch = session.scalar(query.with_for_update() if lock else query)
    if batch is None:
        raise OperatorActionError(f"Batch {batch_id} does not exist")
    cycle = cycle_of_batch(session, batch)
    _require_active_cycle(cycle)
    return batch, cycle


def load_job(session: Session, job_id: int) -> tuple[Job, Batch, Cycle]:
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None:
        raise OperatorActionError(f"Job {job_id} does not exist")
    batch, cycle = load_batch(session, job.batch_id)
    return job, batch, cycle


def load_job_configuration(
    session: Session, job_configuration_id: int
) -> tuple[JobConfiguration, Batch, Cycle]:
    row = session.scalar(
        select(JobConfiguration)
        .where(JobConfiguration.id == job_configuration_id)
        .with_for_update()
    )
    if row is None:
        raise OperatorActionError(f"Job configuration {job_configuration_id} does not exist")
    batch, cycle = load_batch(session, row.batch_id)
    return row, batch, cycle


def resolve_batch_id(session: Session, cycle_name: str, batch_type: str) -> int:
    """The id of the cycle's current batch of ``batch_type`` (as the assets see it)."""
    try:
        kind = BatchType(batch_type.strip().lower())
    except ValueError:
        choices = ", ".join(t.value for t in BatchType)
        raise OperatorActionError(f"Unknown batch type {batch_type!r}; one of: {choices}") from None
    try:
        batch = batch_for_cycle(session, cycle_name, kind)
    except NotFoundError as missing:
        raise OperatorActionError(str(missing)) from None
    if batch is None:
        raise OperatorActionError(f"Cycle {cycle_name!r} has no {kind} batch")
    return batch.id


def reopen(batch: Batch) -> str:
    """An operator action reopens a finished batch (ACTIVE; a PAUSED one stays paused) and marks
    it changed, so the sensor's recon state key changes too; returns the status before."""
    before = str(batch.status)
    if batch.status in BATCH_TERMINAL:
        set_batch_status(batch, BatchStatus.ACTIVE)
    batch.updated_at = utcnow()
    return before


@dataclass(frozen=True)
class Audit:
    """Who does what to which target, and why: the identity of an audit row."""

    action: str
    target_type: str
    target_id: int | None
    cycle: str | None
    actor: str
    reason: str | None

    def record(
        self,
        session: Session,
        message: str,
        *,
        before: dict[str, Any],
        after: dict[str, Any],
        batch_ids: tuple[int, ...] = (),
        new_job_ids: tuple[int, ...] = (),
    ) -> ActionResult:
        """Write the audit row (in the action's transaction) and describe the action."""
        row = OperatorAction(
            actor=require_actor(self.actor),
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            cycle_name=self.cycle,
            reason=self.reason,
            before=before,
            after=after,
        )
        session.add(row)
        session.flush()
        return ActionResult(
            self.action,
            row.id,
            self.target_type,
            self.target_id,
            self.cycle,
            message,
            batch_ids,
            new_job_ids,
            after,
        )
