"""Statuses of cycles, configurations, batches and jobs, and the only legal moves between them.

Every status write in the product goes through :func:`transition`, so an illegal move (a FINISHED
job going back to RUNNING, a SUPERSEDED configuration becoming ACTIVE) raises a clear error instead
of silently corrupting the audit trail, which was the prior system's weakest spot.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar


class CycleStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class ConfigurationStatus(StrEnum):
    NEW = "NEW"
    VALID = "VALID"
    ERROR = "ERROR"
    ACTIVE = "ACTIVE"
    SUPERSEDED = "SUPERSEDED"


class BatchStatus(StrEnum):
    INITIATED = "INITIATED"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    ERROR = "ERROR"


class JobStatus(StrEnum):
    INITIATED = "INITIATED"
    SUBMITTING = "SUBMITTING"
    SUBMITTED = "SUBMITTED"
    QUEUED = "QUEUED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    CANCEL_REQUESTED = "CANCEL_REQUESTED"
    CANCELLING = "CANCELLING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    ERROR = "ERROR"
    FORCED_OK = "FORCED_OK"


JOB_TERMINAL = frozenset(
    {
        JobStatus.FINISHED,
        JobStatus.FAILED,
        JobStatus.CANCELLED,
        JobStatus.ERROR,
        JobStatus.FORCED_OK,
    }
)
#: Jobs that exist at Moody's and are not finished: what the polling sensor tracks.
JOB_IN_FLIGHT = frozenset(
    {
        JobStatus.SUBMITTED,
        JobStatus.QUEUED,
        JobStatus.PENDING,
        JobStatus.RUNNING,
        JobStatus.CANCEL_REQUESTED,
        JobStatus.CANCELLING,
    }
)
JOB_FULFILLED = frozenset({JobStatus.FINISHED, JobStatus.FORCED_OK})
#: Ended without a result: what an operator resubmits or forces OK.
JOB_UNSUCCESSFUL = frozenset({JobStatus.FAILED, JobStatus.ERROR, JobStatus.CANCELLED})
BATCH_OPEN = frozenset({BatchStatus.INITIATED, BatchStatus.ACTIVE, BatchStatus.PAUSED})
BATCH_TERMINAL = frozenset(
    {BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED, BatchStatus.ERROR}
)

_MOODYS_RUNNING = (
    JobStatus.QUEUED,
    JobStatus.PENDING,
    JobStatus.RUNNING,
    JobStatus.CANCEL_REQUESTED,
    JobStatus.CANCELLING,
)
_MOODYS_OUTCOMES = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED)

S = TypeVar("S", bound=StrEnum)


def _moves(table: Mapping[S, tuple[S, ...]]) -> dict[S, frozenset[S]]:
    return {state: frozenset(targets) for state, targets in table.items()}


CYCLE_MOVES = _moves({CycleStatus.ACTIVE: (CycleStatus.ARCHIVED,), CycleStatus.ARCHIVED: ()})

CONFIGURATION_MOVES = _moves(
    {
        ConfigurationStatus.NEW: (ConfigurationStatus.VALID, ConfigurationStatus.ERROR),
        ConfigurationStatus.VALID: (ConfigurationStatus.ACTIVE, ConfigurationStatus.SUPERSEDED),
        ConfigurationStatus.ERROR: (ConfigurationStatus.SUPERSEDED,),
        ConfigurationStatus.ACTIVE: (),
        ConfigurationStatus.SUPERSEDED: (),
    }
)

_BATCH_OUTCOMES = tuple(BATCH_TERMINAL)
BATCH_MOVES = _moves(
    {
        BatchStatus.INITIATED: (BatchStatus.ACTIVE, BatchStatus.PAUSED, *_BATCH_OUTCOMES),
        BatchStatus.ACTIVE: (BatchStatus.PAUSED, *_BATCH_OUTCOMES),
        BatchStatus.PAUSED: (BatchStatus.ACTIVE, *_BATCH_OUTCOMES),
        # A resubmission or an operator action reopens a finished batch.
        **{outcome: (BatchStatus.ACTIVE,) for outcome in _BATCH_OUTCOMES},
    }
)

JOB_MOVES = _moves(
    {
        JobStatus.INITIATED: (JobStatus.SUBMITTING, JobStatus.ERROR, JobStatus.CANCELLED),
        # Sync job types finish (or fail) inside the submitting run.
        JobStatus.SUBMITTING: (
            JobStatus.SUBMITTED,
            JobStatus.ERROR,
            JobStatus.FINISHED,
            JobStatus.FAILED,
        ),
        JobStatus.SUBMITTED: (*_MOODYS_RUNNING, *_MOODYS_OUTCOMES),
        **{
            state: tuple(s for s in (*_MOODYS_RUNNING, *_MOODYS_OUTCOMES) if s != state)
            for state in _MOODYS_RUNNING
        },
        JobStatus.FINISHED: (),
        JobStatus.FAILED: (JobStatus.FORCED_OK,),
        JobStatus.CANCELLED: (JobStatus.FORCED_OK,),
        JobStatus.ERROR: (JobStatus.FORCED_OK,),
        JobStatus.FORCED_OK: (),
    }
)


class IllegalTransitionError(ValueError):
    """A status change that the state machine does not allow."""

    def __init__(self, entity: str, current: StrEnum, target: StrEnum, allowed: frozenset) -> None:
        self.entity, self.current, self.target = entity, current, target
        choices = ", ".join(sorted(allowed)) or "none (final status)"
        super().__init__(
            f"Illegal {entity} status change {current} -> {target}; allowed from {current}: "
            f"{choices}"
        )


_MACHINES: dict[type, tuple[str, dict]] = {
    CycleStatus: ("cycle", CYCLE_MOVES),
    ConfigurationStatus: ("configuration", CONFIGURATION_MOVES),
    BatchStatus: ("batch", BATCH_MOVES),
    JobStatus: ("job", JOB_MOVES),
}


def can_transition(current: S, target: S) -> bool:
    """Whether ``current -> target`` is legal. Staying in the same status is always allowed."""
    _, moves = _MACHINES[type(current)]
    return current == target or target in moves[current]


def transition(current: S, target: S, *, entity_label: str | None = None) -> S:
    """Return ``target`` if the move is legal, else raise :class:`IllegalTransitionError`."""
    if type(current) is not type(target):
        raise TypeError(f"Cannot move a {type(current).__name__} to a {type(target).__name__}")
    entity, moves = _MACHINES[type(current)]
    if not can_transition(current, target):
        raise IllegalTransitionError(entity_label or entity, current, target, moves[current])
    return target


def map_moodys_status(raw: str | None) -> JobStatus | None:
    """Map a Moody's job/workflow status onto ours; ``None`` for an unknown (non-terminal) one."""
    if raw is None:
        return None
    try:
        status = JobStatus(raw.strip().upper())
    except ValueError:
        return None
    return status if status in (*_MOODYS_RUNNING, *_MOODYS_OUTCOMES) else None
