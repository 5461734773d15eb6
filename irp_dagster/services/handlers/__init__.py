"""Submit handlers: how each batch type's jobs are created at Moody's and what they produce.

A handler has these steps, each called by the generic batch services:
- ``prepare``: per-batch look-ups done before anything is written (so an unreachable Moody's
  or a missing data server leaves the database untouched);
- ``ready``: whether a job can be submitted now (e.g. RDM export jobs wait for the seed's RDM);
- ``submit``: one job's request, sent with the job's idempotency key;
- ``collect_result``: after the job FINISHED, what downstream batches need (ids, names, URIs).
Handlers read upstream outcomes from :class:`BatchContext` (the domain tables), never by
re-deriving names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.moodys.client import MoodysClient, RetryCallback


class UpstreamMissingError(LookupError):
    """A job needs an upstream outcome that is not recorded (upstream not FINISHED)."""


@dataclass(frozen=True)
class BatchContext:
    cycle: str
    #: the cycle's current configuration (the validated workbook, as the loader returns it)
    configuration: Mapping[str, Any] = field(default_factory=dict)
    #: batch type -> job configuration key -> recorded result, for FINISHED/FORCED_OK jobs of
    #: the cycle's current configuration (this batch's own included)
    results: Mapping[BatchType, Mapping[str, dict[str, Any]]] = field(default_factory=dict)

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

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        return {}


HANDLERS: dict[BatchType, SubmitHandler] = {}


def register(batch_type: BatchType):
    def decorate(cls: type[SubmitHandler]) -> type[SubmitHandler]:
        HANDLERS[batch_type] = cls()
        return cls

    return decorate


#: Handler modules in service. A module is listed once its calls are verified against the mock's
#: faithful surface (tests of the batch type end to end); the batch types it registers then
#: appear as assets.
ENABLED_MODULES: tuple[str, ...] = ("edm_creation",)


def load_all() -> None:
    """Import every enabled handler module (each registers itself in HANDLERS)."""
    import importlib

    for module in ENABLED_MODULES:
        importlib.import_module(f"{__name__}.{module}")


def handler_for(batch_type: BatchType) -> SubmitHandler:
    load_all()
    try:
        return HANDLERS[batch_type]
    except KeyError:
        raise ValueError(f"No submit handler is registered for batch type {batch_type}") from None
