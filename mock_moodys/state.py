"""All mutable state of the mock behind one lock: clock, jobs, resources, faults, journal."""

from __future__ import annotations

import fnmatch
import random
import string
import threading
from dataclasses import dataclass, field
from typing import Any

from mock_moodys import effects, fixtures, render
from mock_moodys.clock import Clock
from mock_moodys.config import MockConfig
from mock_moodys.errors import ApiError
from mock_moodys.faults import Fault, FaultBook
from mock_moodys.filters import FilterError, compile_filter
from mock_moodys.ids import Sequence
from mock_moodys.jobs import DEFAULT_DURATION, DURATIONS, OUTCOMES, TERMINAL, Job, Snapshot
from mock_moodys.journal import Journal
from mock_moodys.persistence import StateFile
from mock_moodys.store import Store

RESOURCE_ID_START = 1000
MAX_LIMIT = 100


@dataclass
class Replay:
    """What a request with an idempotency key produced (``None`` while in flight)."""

    fingerprint: str
    response: tuple[int, list[tuple[bytes, bytes]], bytes] | None = None


@dataclass
class OutcomeRule:
    """An outcome applied to future jobs that match."""

    outcome: str
    type: str | None = None
    name_like: str | None = None
    route: str | None = None
    message: str | None = None
    next_n: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    used: int = 0

    def matches(self, job: Job, route: str | None) -> bool:
        if self.next_n is not None and self.used >= self.next_n:
            return False
        if self.type and self.type != job.type:
            return False
        if self.name_like and not fnmatch.fnmatchcase(job.name, self.name_like):
            return False
        return not (self.route and not fnmatch.fnmatchcase(route or "", self.route))


class MockState:
    """The mock tenant. Thread-safe: the server thread and test code share it."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        self.lock = threading.RLock()
        self.clock = Clock(self.config.clock_factor, self.config.manual_clock)
        self.state_file: StateFile | None = None
        self.reset()
        if self.config.state_file:
            self.state_file = StateFile(self.config.state_file)
            if not self.state_file.load(self):
                self.save()

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget jobs, resources, faults, rules, journal and idempotency keys; re-seed."""
        with self.lock:
            self.clock.configure(self.config.clock_factor, self.config.manual_clock)
            self.clock.reset()
            self.job_ids = Sequence(self.config.base_id)
            self.store = Store(Sequence(RESOURCE_ID_START))
            self.jobs: dict[int, Job] = {}
            self.faults = FaultBook(self.config.seed)
            self.rules: list[OutcomeRule] = []
            self.journal_log = Journal()
            self.replays: dict[str, Replay] = {}
            self.uploads: dict[str, bytes] = {}
            self.multipart: dict[str, dict[int, bytes]] = {}
            self.rng = random.Random(self.config.seed)
            self.touch()
            fixtures.seed(self)
            self.save()

    def save(self) -> None:
        """Write the state file (when configured); called after each mutating request."""
        if self.state_file is not None:
            with self.lock:
                self.state_file.save(self)

    def seed(self) -> None:
        with self.lock:
            fixtures.seed(self)

    def now(self) -> float:
        return self.clock.now()

    def advance(self, seconds: float) -> float:
        """Move mock time on (works in both clock modes) and settle jobs that ended."""
        with self.lock:
            now = self.clock.advance(seconds)
            self.sync()
            self.save()
            return now

    def touch(self) -> None:
        """Jobs changed: the next :meth:`sync` must look at all of them."""
        self._next_end = float("-inf")

    def sync(self) -> None:
        """Finalize jobs whose end has come, in end order; run their side effects once."""
        with self.lock:
            now = self.clock.now()
            if now < self._next_end:
                return
            due, upcoming = [], float("inf")
            for job in self.jobs.values():
                if job.final is not None or job.lost:
                    continue
                end = job.end_time()
                if end is None:
                    continue
                if end > now:
                    upcoming = min(upcoming, end)
                else:
                    due.append((end, job.id, job))
            self._next_end = upcoming
            for end, _, job in sorted(due, key=lambda item: item[:2]):
                self._finalize(job, end)

    def _finalize(self, job: Job, end: float) -> None:
        with self.lock:
            snap = job.snapshot(end)
            if job.lose_at_end:
                job.lost = True
                return
            if snap.status == "FINISHED":
                try:
                    effects.on_finished(self, job)
                except effects.JobFailure as failure:
                    job.message = str(failure)
                    snap = Snapshot("FAILED", max(0, snap.progress - 1), snap.started, end)
            job.final = snap

    # -- jobs ------------------------------------------------------------------------------

    def create_job(
        self,
        family: str,
        job_type: str,
        name: str,
        *,
        headers: dict[str, str],
        route: str,
        tasks: list[str] | None = None,
        resources: list[str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Job:
        with self.lock:
            queue, run = self.config.durations.get(job_type) or DURATIONS.get(
                job_type, DEFAULT_DURATION
            )
            job = Job(
                id=self.job_ids.next(),
                family=family,
                type=job_type,
                name=name,
                submitted=self.clock.now(),
                queue=float(queue),
                run=float(run),
                tasks=list(tasks or [job_type]),
                resource_group_id=headers.get("x-rms-resource-group-id"),
                request_id=headers.get("x-rms-requestid"),
                user_name=self.config.user_name,
                resources=list(resources or []),
                params={"tenantName": self.config.tenant_name, **(params or {})},
            )
            for rule in self.rules:
                if rule.matches(job, route):
                    rule.used += 1
                    self._plan(job, rule.outcome, rule.message, rule.details)
                    break
            self.jobs[job.id] = job
            self.touch()
            return job

    def _plan(self, job: Job, outcome: str, message: str | None, details: dict[str, Any]) -> None:
        job.message = message or job.message
        job.failed_task = details.get("failed_task", job.failed_task)
        if "fail_fraction" in details:
            job.fail_fraction = float(details["fail_fraction"])
        if outcome == "STICK":
            job.stick = (details.get("status", "RUNNING"), int(details.get("progress", 50)))
        elif outcome == "LOST":
            job.lose_at_end = True
        else:
            job.outcome = outcome

    def find_job(self, job_id: Any, family: str | None = None) -> Job | None:
        """A visible job (not lost) of ``family`` (any family when ``None``)."""
        try:
            job = self.jobs.get(int(job_id))
        except (TypeError, ValueError):
            return None
        if job is None or job.lost or (family is not None and job.family != family):
            return None
        return job

    def snapshot(self, job: Job) -> Snapshot:
        return job.snapshot(self.clock.now())

    def job_payload(self, job: Job) -> dict[str, Any]:
        snap = self.snapshot(job)
        if job.family == "workflow":
            return render.workflow(job, snap, self.clock)
        return render.platform_job(job, snap, self.clock)

    def job_rows(self, family: str, only: set[str] | None = None) -> list[dict[str, Any]]:
        """Payloads of the visible jobs of a family, newest first (only ids ``only``)."""
        with self.lock:
            self.sync()
            pool = self.jobs.values()
            if only is not None:
                pool = [self.jobs[int(i)] for i in only if i.isdigit() and int(i) in self.jobs]
            jobs = [j for j in pool if j.family == family and not j.lost]
            return [self.job_payload(j) for j in sorted(jobs, key=lambda j: -j.id)]

    def cancel(self, job: Job, code: str = "JOB-609") -> None:
        """QUEUED: cancelled at once. PENDING/RUNNING: CANCEL_REQUESTED -> CANCELLING ->
        CANCELLED for cancellable types, else 400 ``code``. Terminal: 400 ``code``."""
        with self.lock:
            now = self.clock.now()
            snap = job.snapshot(now)
            if snap.status in TERMINAL:
                message = f"Job {job.id} is {snap.status} and cannot be cancelled"
                raise ApiError(400, code, message)
            if snap.status in ("CANCEL_REQUESTED", "CANCELLING"):
                return
            if snap.status == "QUEUED":
                job.forced = ("CANCELLED", now)
            elif job.cancellable_while_running:
                job.cancel_at = now
                if job.frozen is not None:
                    job.frozen = None
                    job.stick = (snap.status, snap.progress)
            else:
                raise ApiError(
                    400,
                    code,
                    f"Cancellation is not supported for {job.type} jobs in status {snap.status}",
                )
            self.touch()
            self.sync()

    def set_outcome(self, job_id: str, outcome: str, **details: Any) -> dict[str, Any]:
        """Force a job: FINISHED/FAILED/CANCELLED now (or at its natural end with
        ``at_end=True``), STICK (freeze now, or at ``status``/``progress``), LOST (gone)."""
        outcome = outcome.upper()
        if outcome not in OUTCOMES:
            raise ValueError(f"Unknown outcome {outcome!r}; one of {sorted(OUTCOMES)}")
        with self.lock:
            self.sync()
            job = self.find_job(job_id)
            if job is None:
                raise KeyError(job_id)
            now = self.clock.now()
            job.message = details.get("message") or job.message
            job.failed_task = details.get("failed_task", job.failed_task)
            if outcome == "LOST":
                job.lost = True
                return {"jobId": str(job.id), "lost": True}
            if job.final is not None:
                raise ValueError(f"Job {job.id} already ended {job.final.status}")
            if outcome == "STICK":
                if "status" in details:
                    status = details["status"]
                    job.frozen = Snapshot(
                        status,
                        int(details.get("progress", 0)),
                        now if status == "RUNNING" else None,
                    )
                else:
                    job.frozen = job.snapshot(now)
            elif details.get("at_end"):
                job.frozen, job.stick = None, None
                job.outcome = outcome
            else:
                job.frozen, job.stick = None, None
                job.forced = (outcome, now)
            self.touch()
            self.sync()
            return self.job_payload(job)

    def add_rule(self, data: dict[str, Any]) -> OutcomeRule:
        match = dict(data.get("match") or {})
        outcome = str(data.get("outcome", "")).upper()
        if outcome not in OUTCOMES:
            raise ValueError(f"Unknown outcome {outcome!r}; one of {sorted(OUTCOMES)}")
        unknown = set(match) - {"type", "name_like", "route"}
        if unknown:
            raise ValueError(f"Unknown match field(s): {', '.join(sorted(unknown))}")
        reserved = ("match", "outcome", "message", "next_n")
        details = {k: v for k, v in data.items() if k not in reserved}
        rule = OutcomeRule(
            outcome=outcome,
            message=data.get("message"),
            next_n=data.get("next_n"),
            details=details,
            **match,
        )
        with self.lock:
            self.rules.append(rule)
        return rule

    def workflows_for_request_id(self, request_id: str) -> int:
        with self.lock:
            return sum(1 for j in self.jobs.values() if j.request_id == request_id)

    # -- faults, journal -------------------------------------------------------------------

    def add_fault(self, **fault: Any) -> dict[str, Any]:
        with self.lock:
            return self.faults.add(fault).public()

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def fire_faults(self, method: str, path: str) -> list[Fault]:
        with self.lock:
            return self.faults.fire(method, path)

    def journal(self, path: str | None = None, method: str | None = None) -> list[dict]:
        with self.lock:
            return self.journal_log.query(path, method)

    def ledger(self) -> dict[str, int]:
        with self.lock:
            return dict(self.journal_log.ledger)

    # -- helpers for routes ----------------------------------------------------------------

    def random_suffix(self, length: int = 4) -> str:
        return "".join(self.rng.choice(string.ascii_letters) for _ in range(length))


def page(rows: list[dict[str, Any]], query: dict[str, str], cap: int | None = None) -> list:
    """Filter (``filter=``/``q=``) then ``limit``/``offset`` (records, default 100, max 100)."""
    try:
        predicate = compile_filter(query.get("filter") or query.get("q"))
    except FilterError as error:
        raise ApiError(400, "INT-400", f"Invalid filter: {error}") from None
    try:
        limit = int(query.get("limit", MAX_LIMIT))
        offset = int(query.get("offset", 0))
    except ValueError:
        raise ApiError(400, "INT-400", "limit and offset must be integers") from None
    if limit < 0 or offset < 0:
        raise ApiError(400, "INT-400", "limit and offset must be >= 0")
    limit = min(limit, MAX_LIMIT, cap or MAX_LIMIT)
    matched = [r for r in rows if predicate(r)]
    return matched[offset : offset + limit]
