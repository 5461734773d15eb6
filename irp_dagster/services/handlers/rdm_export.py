"""Export to RDM: one export job per analysis, then per group, into one RDM on Data Bridge.

The seed job (the first) creates the RDM by name; the others wait (INITIATED, no run blocked)
until the seed's recorded outcome names the RDM's database id, then export into it. The polling
sensor's top-up collects the seed's outcome and submits them as soon as it is known.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import rdm_export_body
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


def seed_database(context: BatchContext) -> dict[str, Any] | None:
    """The RDM the seed export created, once its outcome is recorded."""
    for result in context.results.get(BatchType.RDM_EXPORT, {}).values():
        if result.get("seed") and result.get("database_id"):
            return result
    return None


@register(BatchType.RDM_EXPORT)
class RdmExportHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {
            "context": context,
            "server_id": client.find_dataserver_id(DATA_SERVER),
            "rdm": seed_database(context),
        }

    def ready(self, data: dict[str, Any], prepared: dict[str, Any]) -> bool:
        return bool(data.get("is_seed_job")) or prepared["rdm"] is not None

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        uris = [analysis_uri(context, name) for name in data["analysis_names"]]
        request = {"items": data["analysis_names"]}
        if not any(uris):
            reason = f"{data['analysis_names']} do not exist; nothing to export"
            return skipped(JobFamily.PLATFORM, request, reason)
        seed = bool(data.get("is_seed_job"))
        body = rdm_export_body(
            [u for u in uris if u],
            moodys_id(prepared["server_id"]),
            rdm_name=data["rdm_name"],
            database_id=None if seed else moodys_id(prepared["rdm"]["database_id"]),
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
            "seed": bool(data.get("is_seed_job")),
            "database_id": str(database_id),
            "database_name": name,
            "exported": list(data["analysis_names"]),
        }
