"""EDM creation: an exposure set plus a CREATE_EDM riskdata job per Databases row."""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.moodys.client import MoodysClient, RetryCallback
from irp_dagster.services.handlers import (
    BatchContext,
    MoodysJobRef,
    SubmitHandler,
    SubmitOutcome,
    register,
)
from irp_dagster.services.handlers._common import (
    DATA_SERVER,
    async_outcome,
    derived_key,
    exposure_path,
)


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
        return async_outcome(JobFamily.PLATFORM, path, body, job)

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        """EDM names are unique at Moody's, so the exposure is found by its name."""
        exposure = client.find_exposure(data["Database"])
        if exposure is None:
            raise LookupError(f"EDM {data['Database']!r} finished but is not listed by Moody's")
        return {
            "exposure_id": str(exposure["exposureId"]),
            "exposure_name": exposure["exposureName"],
            "database_name": exposure.get("databaseName"),
            "uri": exposure_path(str(exposure["exposureId"])),
        }
