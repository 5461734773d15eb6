"""EDM data-version upgrade of each EDM; Moody's tracks it as a legacy v1 workflow
(moodys-api.md §3 row 5), polled through ``/riskmodeler/v1/workflows``."""

from __future__ import annotations

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
from irp_dagster.services.handlers._common import async_outcome, exposure_path


@register(BatchType.EDM_UPGRADE)
class EdmUpgradeHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        edm = prepared["context"].result(BatchType.EDM_CREATION, data["Database"])
        path = f"{exposure_path(edm['exposure_id'])}/data-upgrade"
        body = {"edmDataVersion": data["target_edm_version"]}
        job = client.submit(path, body, request_id, on_retry=on_retry)
        return async_outcome(JobFamily.WORKFLOW, path, body, job)

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        """The data version the EDM now reports (and the workflow's own output)."""
        path = job.request["path"].removesuffix("/data-upgrade")
        exposure = client.request("GET", path).json()
        outputs = [j.get("output") or {} for j in job.payload(client).get("jobs") or []]
        return {
            "exposure_id": str(exposure["exposureId"]),
            "database_name": exposure.get("databaseName"),
            "edm_data_version": str(exposure.get("edmDataVersion")),
            "data_version": next((o["dataVersion"] for o in outputs if "dataVersion" in o), None),
        }
