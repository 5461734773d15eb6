"""Helpers shared by the submit handlers: idempotency keys of auxiliary calls, outcome builders,
riskdata paths and reading a finished job's own output."""

from __future__ import annotations

import uuid
from typing import Any

from irp_dagster.domain.batch_types import JobFamily
from irp_dagster.moodys.client import MoodysClient, RetryCallback, SubmittedJob
from irp_dagster.services.handlers import SubmitOutcome

RISKDATA = "/platform/riskdata/v1"
DATA_SERVER = "databridge-1"


def derived_key(request_id: str, step: str) -> str:
    """A stable idempotency key for a job's auxiliary call, so a retry reuses it too."""
    return str(uuid.uuid5(uuid.UUID(request_id), step))


def exposure_path(exposure_id: str) -> str:
    return f"{RISKDATA}/exposures/{exposure_id}"


def portfolios_path(exposure_id: str) -> str:
    return f"{exposure_path(exposure_id)}/portfolios"


def async_outcome(family: JobFamily, path: str, body: dict, job: SubmittedJob) -> SubmitOutcome:
    """A job accepted by Moody's, to be polled."""
    return SubmitOutcome(
        family=family,
        moodys_job_id=job.job_id,
        moodys_url=job.location,
        request={"path": path, "body": body},
        response={"status_code": job.status_code, "location": job.location},
    )


def sync_outcome(request: dict, response: dict, result: dict) -> SubmitOutcome:
    """A job done inside the batch run, with its final result."""
    return SubmitOutcome(JobFamily.SYNC, None, None, request, response, result)


def skipped(family: JobFamily, request: dict, reason: str) -> SubmitOutcome:
    return SubmitOutcome(family, None, None, request, skip_reason=reason)


def ensure_portfolio(
    client: MoodysClient,
    exposure_id: str,
    name: str,
    request_id: str,
    on_retry: RetryCallback | None = None,
) -> tuple[str, bool]:
    """The id of portfolio ``name`` in the EDM, creating it once; (id, created now)."""
    path = portfolios_path(exposure_id)
    found = client.search(path, f'portfolioName="{name}"')
    if found:
        return str(found[0]["portfolioId"]), False
    body = {"portfolioName": name, "portfolioNumber": name[:20], "description": name}
    return client.submit(path, body, request_id, on_retry=on_retry).job_id, True


def portfolio_outcome(edm: dict[str, Any], name: str, portfolio_id: str) -> dict[str, Any]:
    """What downstream batches need of a portfolio: its ids, URI and EDM."""
    return {
        "exposure_id": edm["exposure_id"],
        "exposure_name": edm.get("exposure_name"),
        "database_name": edm.get("database_name"),
        "portfolio_id": portfolio_id,
        "portfolio_name": name,
        "uri": f"{portfolios_path(edm['exposure_id'])}/{portfolio_id}",
    }


def task_log_value(payload: dict[str, Any], key: str) -> Any:
    """The first ``tasks[].output.log.<key>`` of a finished Platform job (e.g. analysisId)."""
    for task in payload.get("tasks") or []:
        log = (task.get("output") or {}).get("log") or {}
        if isinstance(log, dict) and log.get(key) is not None:
            return log[key]
    return None


def portfolio_accounts(client: MoodysClient, portfolio_uri: str) -> dict[str, Any]:
    """What Moody's holds in a portfolio: accounts, their locations, how many are geocoded."""
    accounts = client.search(f"{portfolio_uri}/accounts")
    return {
        "uri": portfolio_uri,
        "accounts": len(accounts),
        "locations": sum(a.get("locationsCount") or 0 for a in accounts),
        "geocoded_accounts": sum(1 for a in accounts if a.get("geocoded")),
    }
