"""Exposure-stage handlers: portfolios, treaties, EDM upgrade, GeoHaz and portfolio mapping.

Each reads the EDM and portfolio that upstream jobs actually created (their recorded outcomes:
Moody's ids and the suffixed database name) from the batch context.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import geohaz_body, treaty_body
from irp_dagster.moodys.client import MoodysClient, RetryCallback
from irp_dagster.services.handlers import BatchContext, SubmitHandler, SubmitOutcome, register
from irp_dagster.services.handlers.edm_creation import derived_key

RISKDATA = "/platform/riskdata/v1"


def portfolios_path(exposure_id: str) -> str:
    return f"{RISKDATA}/exposures/{exposure_id}/portfolios"


def ensure_portfolio(
    client: MoodysClient, exposure_id: str, name: str, request_id: str, on_retry: RetryCallback
) -> tuple[str, bool]:
    """The id of portfolio ``name`` in the EDM, creating it once; (id, created now)."""
    path = portfolios_path(exposure_id)
    found = client.search(path, f'portfolioName="{name}"')
    if found:
        return str(found[0]["portfolioId"]), False
    body = {"portfolioName": name, "portfolioNumber": name[:20], "description": name}
    return client.submit(path, body, request_id, on_retry=on_retry).job_id, True


def portfolio_outcome(edm: dict[str, Any], name: str, portfolio_id: str) -> dict[str, Any]:
    return {
        "exposure_id": edm["exposure_id"],
        "database_name": edm.get("database_name"),
        "portfolio_id": portfolio_id,
        "portfolio_name": name,
        "uri": f"{portfolios_path(edm['exposure_id'])}/{portfolio_id}",
    }


class _WithContext(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context}


@register(BatchType.PORTFOLIO_CREATION)
class PortfolioCreationHandler(_WithContext):
    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        edm = prepared["context"].result(BatchType.EDM_CREATION, data["Database"])
        name = data["Portfolio"]
        portfolio_id, created = ensure_portfolio(
            client, edm["exposure_id"], name, request_id, on_retry
        )
        return SubmitOutcome(
            family=JobFamily.SYNC,
            moodys_job_id=None,
            moodys_url=None,
            request={"path": portfolios_path(edm["exposure_id"]), "portfolioName": name},
            response={"portfolio_id": portfolio_id, "created": created},
            result=portfolio_outcome(edm, name, portfolio_id),
        )


@register(BatchType.TREATY_CREATION)
class TreatyCreationHandler(_WithContext):
    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        edm = prepared["context"].result(BatchType.EDM_CREATION, data["Database"])
        exposure = f"{RISKDATA}/exposures/{edm['exposure_id']}"
        existing = client.search(f"{exposure}/treaties", f'treatyName="{data["Treaty Name"]}"')
        if existing:
            treaty_id = str(existing[0]["treatyId"])
        else:
            cedants = client.search(f"{exposure}/cedants")
            if len(cedants) != 1:
                raise LookupError(
                    f"EDM {edm.get('database_name')} has {len(cedants)} cedants; exactly one is "
                    "needed to create a treaty (cedants appear after MRI import)"
                )
            cedant = {k: cedants[0][k] for k in ("cedantId", "cedantName") if k in cedants[0]}
            currency = client.find_currency(data.get("Currency") or "US Dollar")
            body = treaty_body(data, currency, cedant)
            treaty_id = client.submit(
                f"{exposure}/treaties", body, request_id, on_retry=on_retry
            ).job_id
            for lob in client.search(f"{exposure}/lobs"):
                client.submit(
                    f"{exposure}/treaties/{treaty_id}/lob",
                    {"lobId": lob["lobId"], "lobName": lob["lobName"]},
                    derived_key(request_id, f"lob-{lob['lobId']}"),
                    on_retry=on_retry,
                )
        return SubmitOutcome(
            family=JobFamily.SYNC,
            moodys_job_id=None,
            moodys_url=None,
            request={"path": f"{exposure}/treaties", "treatyName": data["Treaty Name"]},
            response={"treaty_id": treaty_id},
            result={
                "treaty_id": treaty_id,
                "treaty_name": data["Treaty Name"],
                "exposure_id": edm["exposure_id"],
            },
        )


def _async(family: JobFamily, path: str, body: dict, job) -> SubmitOutcome:
    return SubmitOutcome(
        family=family,
        moodys_job_id=job.job_id,
        moodys_url=job.location,
        request={"path": path, "body": body},
        response={"status_code": job.status_code, "location": job.location},
    )


@register(BatchType.EDM_UPGRADE)
class EdmUpgradeHandler(_WithContext):
    """Polled as a legacy v1 workflow (moodys-api.md §3 row 5)."""

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        edm = prepared["context"].result(BatchType.EDM_CREATION, data["Database"])
        path = f"{RISKDATA}/exposures/{edm['exposure_id']}/data-upgrade"
        body = {"edmDataVersion": data["target_edm_version"]}
        job = client.submit(path, body, request_id, on_retry=on_retry)
        return _async(JobFamily.WORKFLOW, path, body, job)

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        return {"database": data["Database"], "edm_data_version": data["target_edm_version"]}


@register(BatchType.GEOHAZ)
class GeohazHandler(_WithContext):
    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        portfolio = prepared["context"].result(BatchType.PORTFOLIO_CREATION, data["Portfolio"])
        accounts = client.search(f"{portfolio['uri']}/accounts")
        if not any((a.get("locationsCount") or 0) > 0 for a in accounts):
            raise LookupError(
                f"Portfolio {data['Portfolio']} has no located accounts; MRI import must load "
                "its locations before GeoHaz"
            )
        body = geohaz_body(portfolio["uri"], data["geocode_version"], data["hazard_version"])
        job = client.submit("/platform/geohaz/v1/jobs", body, request_id, on_retry=on_retry)
        return _async(JobFamily.PLATFORM, "/platform/geohaz/v1/jobs", body, job)

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        return {"portfolio_name": data["Portfolio"], "geocoded": True}


@register(BatchType.PORTFOLIO_MAPPING)
class PortfolioMappingHandler(_WithContext):
    """Creates the base portfolio's sub-portfolios (Portfolios rows with Base = N in the same
    database and import file). Without a Data Bridge SQL connection configured they are created
    through the Platform portfolio API, which works on the mock and the real service alike."""

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        base = prepared["context"].result(BatchType.PORTFOLIO_CREATION, data["Portfolio"])
        subs = [
            row["Portfolio"]
            for row in prepared["context"].configuration.get("portfolios", [])
            if str(row.get("Base Portfolio?", "")).upper() == "N"
            and row.get("Database") == data["Database"]
            and row.get("Import File") == data["Import File"]
        ]
        created = {}
        for name in subs:
            portfolio_id, _ = ensure_portfolio(
                client, base["exposure_id"], name, derived_key(request_id, name), on_retry
            )
            created[name] = portfolio_outcome(base, name, portfolio_id)
        return SubmitOutcome(
            family=JobFamily.SYNC,
            moodys_job_id=None,
            moodys_url=None,
            request={"base_portfolio": data["Portfolio"], "sub_portfolios": subs},
            response={"created": sorted(created)},
            result={**base, "sub_portfolios": created},
        )
