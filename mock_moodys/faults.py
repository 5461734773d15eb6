"""Injected faults: per route glob and method, next-N / every-Nth / probability, per job id."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = frozenset(
    {
        "status",
        "accepted_then_error",
        "latency",
        "reset",
        "not_ready",
        "lost",
        "unknown_status",
        "missing_progress",
        "short_page",
    }
)
ANSWERING = frozenset({"status", "reset", "not_ready"})
DEFAULT_STATUS = {"status": 503, "accepted_then_error": 502}


@dataclass
class Fault:
    """One fault rule. ``after_n`` lets the first N matching requests through untouched."""

    kind: str
    route: str = "*"
    method: str | None = None
    status: int | None = None
    retry_after: str | None = None
    next_n: int | None = None
    every_nth: int | None = None
    probability: float | None = None
    job_id: str | None = None
    seconds: float | None = None
    after_n: int = 0
    code: str | None = None
    message: str | None = None
    value: str | None = None
    page_size: int | None = None
    id: int = 0
    seen: int = 0
    fired: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], fault_id: int) -> Fault:
        known = {k for k in cls.__dataclass_fields__ if k not in ("id", "seen", "fired", "extra")}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Unknown fault field(s): {', '.join(sorted(unknown))}")
        fault = cls(**data, id=fault_id)
        if fault.kind not in KINDS:
            raise ValueError(f"Unknown fault kind {fault.kind!r}; one of {sorted(KINDS)}")
        if fault.method:
            fault.method = fault.method.upper()
        if fault.retry_after is not None:
            fault.retry_after = str(fault.retry_after)
        if fault.status is None:
            fault.status = DEFAULT_STATUS.get(fault.kind)
        if fault.kind == "latency" and fault.seconds is None:
            raise ValueError("latency faults need 'seconds'")
        for name in ("next_n", "every_nth"):
            value = getattr(fault, name)
            if value is not None and int(value) < 1:
                raise ValueError(f"{name} must be >= 1")
        if fault.probability is not None and not 0 <= fault.probability <= 1:
            raise ValueError("probability must be within [0, 1]")
        return fault

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method:
            return False
        if not fnmatch.fnmatchcase(path, self.route):
            return False
        return self.job_id is None or str(self.job_id) in path.split("/")

    @property
    def exhausted(self) -> bool:
        return self.next_n is not None and self.fired >= self.next_n

    def trigger(self, rng: random.Random) -> bool:
        """Count one matching request; whether the fault applies to it."""
        if self.exhausted:
            return False
        self.seen += 1
        eligible = self.seen - self.after_n
        if eligible <= 0:
            return False
        if self.every_nth is not None and eligible % self.every_nth:
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return {k: v for k, v in data.items() if v is not None}


class FaultBook:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.faults: list[Fault] = []
        self._next = 1

    def add(self, data: dict[str, Any]) -> Fault:
        fault = Fault.from_dict(data, self._next)
        self._next += 1
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def fire(self, method: str, path: str) -> list[Fault]:
        """Faults applying to this request, in order; one that answers the request itself
        (status, reset, not_ready) ends the list, so later faults are not consumed."""
        fired = []
        for fault in self.faults:
            if fault.matches(method, path) and fault.trigger(self.rng):
                fired.append(fault)
                if fault.kind in ANSWERING:
                    break
        return fired
