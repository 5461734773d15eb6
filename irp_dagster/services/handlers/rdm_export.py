"""Export to RDM: one export job per analysis, then per group, into one RDM on Data Bridge.

One job creates the RDM by name: the seed (the first job), or, if the seed ended without an RDM
(failed or skipped), the next job that has not ended. The others wait (INITIATED, no run
blocked) until a recorded outcome names the RDM's database id, then export into it; so does a
resubmitted seed once the RDM exists. The polling sensor's top-up collects the outcome and
submits the waiting jobs as soon as it is known.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import rdm_export_body
from irp_dagster.domain.transformers import transform
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import (
    BatchContext,
    MoodysJobRef,
    SubmitHandler,
    SubmitOutcome,
    register,
)
from irp_dagster.services.handlers._common import (
    DATA_SERVER,
    RISKDATA,
    async_outcome,
    skipped,
    task_log_value,
)
from irp_dagster.services.handlers._reference import moodys_id
from irp_dagster.services.handlers.grouping import analysis_uri

EXPORT_JOBS = "/platform/export/v1/jobs"


def recorded_rdm(context: BatchContext) -> dict[str, Any] | None:
    """The RDM of this cycle's export, once a job's outcome names it."""
    for result in context.results.get(BatchType.RDM_EXPORT, {}).values():
        if result.get("database_id"):
            return result
    return None


def _key(data: dict[str, Any]) -> str:
    return data["analysis_names"][0]


@register(BatchType.RDM_EXPORT)
class RdmExportHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        order = [spec.key for spec in transform(BatchType.RDM_EXPORT, dict(context.configuration))]
        creator = next((k for k in order if not context.has_ended(BatchType.RDM_EXPORT, k)), None)
        return {
            "context": context,
            "server_id": client.find_dataserver_id(DATA_SERVER),
            "rdm": recorded_rdm(context),
            "creator": creator,
        }

    def ready(self, data: dict[str, Any], prepared: dict[str, Any]) -> bool:
        return prepared["rdm"] is not None or _key(data) == prepared["creator"]

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        uris = [analysis_uri(context, name) for name in data["analysis_names"]]
        request = {"items": data["analysis_names"]}
        if not any(uris):
            reason = f"{data['analysis_names']} do not exist; nothing to export"
            return skipped(JobFamily.PLATFORM, request, reason)
        rdm = prepared["rdm"]
        body = rdm_export_body(
            [u for u in uris if u],
            moodys_id(prepared["server_id"]),
            rdm_name=data["rdm_name"],
            database_id=moodys_id(rdm["database_id"]) if rdm else None,
        )
        job = client.submit(EXPORT_JOBS, body, request_id, on_retry=on_retry)
        return async_outcome(JobFamily.PLATFORM, EXPORT_JOBS, body, job)

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        settings = job.request["body"]["settings"]
        payload = job.payload(client)
        database_id = task_log_value(payload, "databaseId") or settings.get("databaseId")
        name = task_log_value(payload, "databaseName")
        if database_id is None:  # not reported by the job: the newest RDM of that name
            rows = client.search(
                f"{RISKDATA}/dataservers/{settings['serverId']}/databases",
                f'databaseName LIKE "{data["rdm_name"]}*"',
            )
            if not rows:
                raise LookupError(f"RDM {data['rdm_name']!r} was exported but is not listed")
            row = max(rows, key=lambda r: int(r["databaseId"]))
            database_id, name = row["databaseId"], row["databaseName"]
        return {
            "created_rdm": "rdmName" in settings,
            "database_id": str(database_id),
            "database_name": name,
            "exported": list(data["analysis_names"]),
        }
