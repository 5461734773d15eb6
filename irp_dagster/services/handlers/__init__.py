"""Submit handlers: how each batch type's jobs are created at Moody's and what they produce.

A handler has these steps, each called by the generic batch services:
- ``prepare``: per-batch look-ups done before anything is written (so an unreachable Moody's
  or a missing data server leaves the database untouched);
- ``ready``: whether a job can be submitted now (e.g. RDM exports wait for the RDM, rollups
  for the rollups they contain); a job not ready stays INITIATED and blocks no run;
- ``submit``: one job's request, sent with the job's idempotency key;
- ``collect_result``: after the job FINISHED, what downstream batches need (ids, names, URIs),
  read from the finished Moody's job itself where it says (:class:`MoodysJobRef`).
Handlers read upstream outcomes from :class:`BatchContext` (the domain tables), never by
re-deriving names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.moodys.client import MoodysClient, RetryCallback


class SubmitRejectedError(Exception):
    """The job cannot be submitted as it stands (a definitive local refusal, e.g. a missing
    script or an EDM without its cedant): the job ends in ERROR with this message."""


class UpstreamMissingError(SubmitRejectedError, LookupError):
    """A job needs an upstream outcome that is not recorded (upstream not FINISHED)."""


@dataclass(frozen=True)
class BatchContext:
    cycle: str
    #: the cycle's current configuration (the validated workbook, as the loader returns it)
    configuration: Mapping[str, Any] = field(default_factory=dict)
    #: batch type -> job configuration key -> recorded result, for FINISHED/FORCED_OK jobs of
    #: the cycle's current configuration (this batch's own included)
    results: Mapping[BatchType, Mapping[str, dict[str, Any]]] = field(default_factory=dict)
    #: batch type -> keys of job configurations that are over: skipped, or whose latest live
    #: job is terminal (whatever its outcome)
    ended: Mapping[BatchType, frozenset[str]] = field(default_factory=dict)

    def result(self, batch_type: BatchType, key: str) -> dict[str, Any]:
        try:
            return self.results[batch_type][key]
        except KeyError:
            raise UpstreamMissingError(
                f"{batch_type} has no recorded outcome for {key!r}; "
                f"that upstream job must be FINISHED first"
            ) from None

    def find(self, batch_type: BatchType, key: str) -> dict[str, Any] | None:
        return self.results.get(batch_type, {}).get(key)

    def has_ended(self, batch_type: BatchType, key: str) -> bool:
        return key in self.ended.get(batch_type, frozenset())


@dataclass(frozen=True)
class MoodysJobRef:
    """A submitted job as recorded: how it is polled (``family``: a Platform api name,
    ``workflow`` or ``databridge``), its Moody's id and what the handler submitted."""

    family: str | None
    job_id: str | None
    url: str | None = None
    #: the job's recorded submission request (``SubmitOutcome.request``)
    request: Mapping[str, Any] = field(default_factory=dict)

    def payload(self, client: MoodysClient) -> dict[str, Any]:
        """The job's current Moody's payload ({} when it has none or is not ready)."""
        if not self.job_id or self.family in (None, "sync"):
            return {}
        if self.family == "workflow":
            return client.workflow(self.job_id) or {}
        if self.family == "databridge":
            return {"status": client.databridge_job_status(self.job_id)}
        return client.platform_job(self.family, self.job_id) or {}


@dataclass(frozen=True)
class SubmitOutcome:
    """What a handler's submit returns: the Moody's id and how to poll it (async types), or
    the final result (sync types, ``moodys_job_id`` None)."""

    family: JobFamily
    moodys_job_id: str | None
    moodys_url: str | None
    request: dict[str, Any]
    response: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    #: set when the job cannot run at all (e.g. every group item is missing): skip it
    skip_reason: str | None = None


class SubmitHandler:
    """Base class: override ``submit`` and ``collect_result``; the rest has defaults."""

    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {}

    def ready(self, data: dict[str, Any], prepared: dict[str, Any]) -> bool:
        return True

    def submit(
        self,
        client: MoodysClient,
        data: dict[str, Any],
        request_id: str,
        prepared: dict[str, Any],
        on_retry: RetryCallback,
    ) -> SubmitOutcome:
        raise NotImplementedError

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        return {}


HANDLERS: dict[BatchType, SubmitHandler] = {}


def register(batch_type: BatchType):
    def decorate(cls: type[SubmitHandler]) -> type[SubmitHandler]:
        HANDLERS[batch_type] = cls()
        return cls

    return decorate


@cache
def load_all() -> None:
    """Import every handler module of this package once (each registers itself in HANDLERS);
    modules starting with ``_`` are shared helpers."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


def handler_for(batch_type: BatchType) -> SubmitHandler:
    load_all()
    try:
        return HANDLERS[batch_type]
    except KeyError:
        raise ValueError(f"No submit handler is registered for batch type {batch_type}") from None
