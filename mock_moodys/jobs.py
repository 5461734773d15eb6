"""The job model: a deterministic script of phases evaluated lazily against the mock clock.

QUEUED (queue) -> PENDING (short) -> RUNNING (progress 0..100 linear) -> outcome. Overrides:
a planned outcome (FAILED/CANCELLED at a fraction of the run), a stick point (frozen status and
progress), a forced terminal status at a given time, a cancellation request, or loss.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

TERMINAL = frozenset({"FINISHED", "FAILED", "CANCELLED"})
IN_PROGRESS = frozenset({"QUEUED", "PENDING", "RUNNING", "CANCEL_REQUESTED", "CANCELLING"})
OUTCOMES = frozenset({"FINISHED", "FAILED", "CANCELLED", "STICK", "LOST"})
CANCELLABLE_TYPES = frozenset(
    {"DLM", "HD", "ALM", "BATCH", "CLIMATE_CHANGE", "CONVERT_RESULT_CURRENCY", "DOWNLOAD_RDM"}
)
# (queue, run) mock seconds; moodys-api.md §2b where observed, else plausible values.
DURATIONS: dict[str, tuple[float, float]] = {
    "CREATE_EDM": (17, 104),
    "EDM_DATA_UPGRADE": (0, 17),
    "MRI_IMPORT": (17, 260),
    "EDM_IMPORT": (17, 300),
    "GEOHAZ": (2, 300),
    "DLM": (20, 600),
    "HD": (20, 900),
    "GROUPING": (10, 180),
    "RDM_DATABRIDGE": (10, 240),
    "RESULTS": (10, 120),
    "DELETE_EDM": (5, 30),
    "DELETE_RDM": (2, 20),
}
DEFAULT_DURATION = (10.0, 60.0)
PENDING_SECONDS = 3.0
CANCEL_REQUESTED_SECONDS = 2.0
CANCELLING_SECONDS = 3.0


@dataclass
class Snapshot:
    """What a job looks like at one moment (times are mock seconds)."""

    status: str
    progress: int
    started: float | None = None
    ended: float | None = None


@dataclass
class Job:
    """One job or workflow. ``family`` is a Platform api name, ``workflow`` or ``databridge``."""

    id: int
    family: str
    type: str
    name: str
    submitted: float
    queue: float
    run: float
    tasks: list[str] = field(default_factory=list)
    resource_group_id: str | None = None
    request_id: str | None = None
    user_name: str = "mock.user@example.com"
    priority: str = "medium"
    entitlement: str = "RI-RISKMODELER"
    resources: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)
    pending: float = PENDING_SECONDS
    # planned ending at the natural end of the run
    outcome: str = "FINISHED"
    message: str | None = None
    failed_task: str | None = None
    fail_fraction: float = 0.5
    # overrides
    stick: tuple[str, int] | None = None
    frozen: Snapshot | None = None
    forced: tuple[str, float] | None = None
    cancel_at: float | None = None
    lost: bool = False
    lose_at_end: bool = False
    final: Snapshot | None = None

    # -- phases ----------------------------------------------------------------------------

    @property
    def run_start(self) -> float:
        return self.submitted + self.queue + self.pending

    def _run_time(self, fraction: float) -> float:
        return self.run_start + self.run * fraction

    def _end_fraction(self) -> float:
        if self.outcome == "FINISHED":
            return 1.0
        if self.failed_task and self.failed_task in self.tasks:
            index = self.tasks.index(self.failed_task)
            return (index + 0.5) / len(self.tasks)
        return self.fail_fraction

    def _natural(self, now: float) -> Snapshot:
        if now < self.submitted + self.queue:
            return Snapshot("QUEUED", 0)
        if now < self.run_start:
            return Snapshot("PENDING", 0)
        fraction = 1.0 if self.run <= 0 else min(1.0, (now - self.run_start) / self.run)
        return Snapshot("RUNNING", int(fraction * 100), started=self.run_start)

    def _stick_time(self) -> float | None:
        if self.stick is None:
            return None
        status, progress = self.stick
        if status == "QUEUED":
            return self.submitted
        if status == "PENDING":
            return self.submitted + self.queue
        return self._run_time(max(0, min(progress, 99)) / 100)

    def end_time(self) -> float | None:
        """When the job becomes terminal under the current plan, ``None`` if never."""
        if self.final is not None:
            return self.final.ended
        if self.frozen is not None:
            return None
        candidates = []
        if self.forced is not None:
            candidates.append(self.forced[1])
        if self.cancel_at is not None:
            candidates.append(self.cancel_at + CANCEL_REQUESTED_SECONDS + CANCELLING_SECONDS)
        natural = self._run_time(self._end_fraction())
        stick = self._stick_time()
        reachable = stick is None or natural <= stick
        if reachable and (self.cancel_at is None or natural < self.cancel_at):
            candidates.append(natural)
        return min(candidates) if candidates else None

    def snapshot(self, now: float) -> Snapshot:
        """Status and progress at mock time ``now``."""
        if self.final is not None:
            return self.final
        if self.frozen is not None:
            return self.frozen
        end = self.end_time()
        if end is not None and now >= end:
            return self._terminal(end)
        if self.cancel_at is not None and now >= self.cancel_at:
            base = self._natural(self.cancel_at)
            status = (
                "CANCEL_REQUESTED"
                if now < self.cancel_at + CANCEL_REQUESTED_SECONDS
                else "CANCELLING"
            )
            return Snapshot(status, base.progress, base.started)
        stick = self._stick_time()
        if stick is not None and now >= stick:
            if self.stick is not None and self.stick[0] in ("QUEUED", "PENDING"):
                return Snapshot(self.stick[0], 0)
            return self._natural(stick)
        return self._natural(now)

    def _terminal(self, end: float) -> Snapshot:
        at_end = self._natural(end)
        started = at_end.started
        if self.forced is not None and end == self.forced[1]:
            status = self.forced[0]
            progress = 100 if status == "FINISHED" else at_end.progress
            if status == "FINISHED" and started is None:
                started = end
        elif self.cancel_at is not None and end >= self.cancel_at:
            status, progress = "CANCELLED", self._natural(self.cancel_at).progress
        else:
            status = self.outcome
            progress = 100 if status == "FINISHED" else at_end.progress
        return Snapshot(status, progress, started, end)

    # -- control ---------------------------------------------------------------------------

    @property
    def cancellable_while_running(self) -> bool:
        return self.type in CANCELLABLE_TYPES

    def task_guid(self, index: int) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mock-moodys/{self.id}/{index}"))

    def task_states(self, snap: Snapshot) -> list[tuple[str, str, int]]:
        """(name, task status, percentComplete) per task."""
        count = len(self.tasks)
        states = []
        for index, name in enumerate(self.tasks):
            share = max(0.0, min(1.0, snap.progress / 100 * count - index))
            percent = int(share * 100)
            if snap.status == "FINISHED":
                status, percent = "Succeeded", 100
            elif snap.status in ("QUEUED", "PENDING"):
                status = "Pending"
            elif share >= 1.0:
                status = "Succeeded"
            elif snap.status == "FAILED":
                current = min(count - 1, int(snap.progress / 100 * count))
                failing = self.failed_task or self.tasks[current]
                status = "Failed" if name == failing else "Cancelled"
            elif snap.status == "CANCELLED":
                status = "Cancelled"
            elif share > 0 or (index == 0 and snap.status == "RUNNING"):
                status = "Running"
            else:
                status = "Pending"
            states.append((name, status, percent))
        return states
