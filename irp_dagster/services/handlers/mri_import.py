"""MRI import: an import folder, the extracted account/location files uploaded to its storage,
then an MRI import job into the portfolio portfolio creation made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import (
    BatchContext,
    MoodysJobRef,
    SubmitHandler,
    SubmitOutcome,
    register,
)
from irp_dagster.services.handlers._common import (
    async_outcome,
    derived_key,
    portfolio_accounts,
    task_log_value,
)
from irp_dagster.services.handlers._storage import upload_file

IMPORT_JOBS = "/platform/import/v1/jobs"
FILES = (("accountsFile", "accounts_file"), ("locationsFile", "locations_file"))


@register(BatchType.MRI_IMPORT)
class MriImportHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        portfolio = context.result(BatchType.PORTFOLIO_CREATION, data["Portfolio"])
        files = context.result(BatchType.DATA_EXTRACTION, data["Portfolio"])
        folder = client.create_folder(
            {
                "folderType": "MRI",
                "properties": {"fileExtension": "csv", "fileTypes": [t for t, _ in FILES]},
            },
            derived_key(request_id, "folder"),
        )
        for file_type, key in FILES:
            upload_file(folder["uploadDetails"][file_type], Path(files[key]))
        body = {
            "importType": "MRI",
            "resourceUri": portfolio["uri"],
            "settings": {
                "folderId": int(folder["folderId"]),
                "delimiter": files.get("delimiter", "TAB"),
            },
        }
        job = client.submit(IMPORT_JOBS, body, request_id, on_retry=on_retry)
        outcome = async_outcome(JobFamily.PLATFORM, IMPORT_JOBS, body, job)
        outcome.response["folder_id"] = folder["folderId"]
        return outcome

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        return {
            "portfolio_name": data["Portfolio"],
            **portfolio_accounts(client, job.request["body"]["resourceUri"]),
            "import_summary": task_log_value(job.payload(client), "importSummary"),
        }
