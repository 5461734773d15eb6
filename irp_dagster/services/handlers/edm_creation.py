"""EDM creation: an exposure set plus a CREATE_EDM riskdata job per Databases row."""

from __future__ import annotations

import uuid
from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.moodys.client import MoodysClient, RetryCallback
from irp_dagster.services.handlers import BatchContext, SubmitHandler, SubmitOutcome, register

DATA_SERVER = "databridge-1"


def derived_key(request_id: str, step: str) -> str:
    """A stable idempotency key for a job's auxiliary call, so a retry reuses it too."""
    return str(uuid.uuid5(uuid.UUID(request_id), step))


@register(BatchType.EDM_CREATION)
class EdmCreationHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"server_id": client.find_dataserver_id(DATA_SERVER)}

    def submit(
        self,
        client: MoodysClient,
        data: dict[str, Any],
        request_id: str,
        prepared: dict[str, Any],
        on_retry: RetryCallback,
    ) -> SubmitOutcome:
        name = data["Database"]
        exposure_set_id = client.ensure_exposure_set(name, derived_key(request_id, "exposureset"))
        body = {"exposureName": name, "serverId": prepared["server_id"]}
        path = f"/platform/riskdata/v1/exposuresets/{exposure_set_id}/exposures"
        job = client.submit(path, body, request_id, on_retry=on_retry)
        return SubmitOutcome(
            family=JobFamily.PLATFORM,
            moodys_job_id=job.job_id,
            moodys_url=job.location,
            request={"path": path, "body": body},
            response={"status_code": job.status_code, "location": job.location},
        )

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        exposure = client.find_exposure(data["Database"])
        if exposure is None:
            raise LookupError(f"EDM {data['Database']!r} finished but is not listed by Moody's")
        return {
            "exposure_id": str(exposure["exposureId"]),
            "exposure_name": exposure["exposureName"],
            "database_name": exposure.get("databaseName"),
            "uri": f"/platform/riskdata/v1/exposures/{exposure['exposureId']}",
        }
