"""Groupings and rollups: a grouping job per group, over the analyses and groups it names.

Items that do not exist (e.g. an analysis that failed) are left out and listed in the request;
a group none of whose items exist is skipped with the reason, as the prior system did. A rollup
that contains another rollup of the same batch waits (INITIATED, no run blocked) until that one
has ended.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import grouping_body
from irp_dagster.domain.transformers import transform
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import (
    BatchContext,
    MoodysJobRef,
    SubmitHandler,
    SubmitOutcome,
    register,
)
from irp_dagster.services.handlers._common import async_outcome, skipped
from irp_dagster.services.handlers.analysis import find_analysis

GROUPING_JOBS = "/platform/grouping/v1/jobs"
ANALYSIS_TYPES = (BatchType.ANALYSIS, BatchType.GROUPING, BatchType.GROUPING_ROLLUP)


def analysis_uri(context: BatchContext, name: str) -> str | None:
    """The URI of the analysis or group called ``name`` this cycle created, if any."""
    for batch_type in ANALYSIS_TYPES:
        found = context.find(batch_type, name)
        if found is not None:
            return found["uri"]
    return None


class _GroupHandler(SubmitHandler):
    batch_type: BatchType

    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        own = {spec.key for spec in transform(self.batch_type, dict(context.configuration))}
        return {"context": context, "own_groups": own}

    def ready(self, data: dict[str, Any], prepared: dict[str, Any]) -> bool:
        """Wait while a group it contains is one of this batch's and has not ended yet."""
        context: BatchContext = prepared["context"]
        own = prepared["own_groups"]
        return all(
            context.has_ended(self.batch_type, name)
            for name in data.get("group_names", [])
            if name in own
        )

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        uris = {item: analysis_uri(context, item) for item in data["items"]}
        present = [uri for uri in uris.values() if uri]
        missing = sorted(item for item, uri in uris.items() if not uri)
        request = {"group": data["Group_Name"], "missing_items": missing}
        if not present:
            reason = f"none of the items of {data['Group_Name']} exist: {missing}"
            return skipped(JobFamily.PLATFORM, request, reason)
        body = grouping_body(data["Group_Name"], present)
        job = client.submit(GROUPING_JOBS, body, request_id, on_retry=on_retry)
        outcome = async_outcome(JobFamily.PLATFORM, GROUPING_JOBS, body, job)
        outcome.request["missing_items"] = missing
        return outcome

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        result = find_analysis(client, data["Group_Name"], job)
        return {**result, "missing_items": list(job.request.get("missing_items", []))}


@register(BatchType.GROUPING)
class GroupingHandler(_GroupHandler):
    batch_type = BatchType.GROUPING


@register(BatchType.GROUPING_ROLLUP)
class GroupingRollupHandler(_GroupHandler):
    batch_type = BatchType.GROUPING_ROLLUP
