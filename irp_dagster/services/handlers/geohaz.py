"""GeoHaz: geocoding plus earthquake and windstorm hazard of each base portfolio."""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import geohaz_body
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import (
    BatchContext,
    MoodysJobRef,
    SubmitHandler,
    SubmitOutcome,
    SubmitRejectedError,
    register,
)
from irp_dagster.services.handlers._common import async_outcome, portfolio_accounts

GEOHAZ_JOBS = "/platform/geohaz/v1/jobs"


@register(BatchType.GEOHAZ)
class GeohazHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        portfolio = prepared["context"].result(BatchType.PORTFOLIO_CREATION, data["Portfolio"])
        accounts = client.search(f"{portfolio['uri']}/accounts")
        if not any((a.get("locationsCount") or 0) > 0 for a in accounts):
            raise SubmitRejectedError(
                f"Portfolio {data['Portfolio']} has no located accounts; MRI import must load "
                "its locations before GeoHaz"
            )
        body = geohaz_body(portfolio["uri"], data["geocode_version"], data["hazard_version"])
        job = client.submit(GEOHAZ_JOBS, body, request_id, on_retry=on_retry)
        return async_outcome(JobFamily.PLATFORM, GEOHAZ_JOBS, body, job)

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        uri = job.request["body"]["resourceUri"]
        return {"portfolio_name": data["Portfolio"], **portfolio_accounts(client, uri)}
