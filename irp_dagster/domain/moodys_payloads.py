"""Pure builders of Moody's request bodies from job-configuration data (moodys-api.md §3)."""

from __future__ import annotations

from typing import Any

TREATY_TYPES = {
    "Working Excess": "WORK",
    "Quota Share": "QUOT",
    "Catastrophe": "CATA",
    "Surplus": "SURP",
    "Stop Loss": "STOP",
}
ATTACHMENT_BASIS = {"Losses Occurring": "L", "Risks Attaching": "R"}
ATTACHMENT_LEVEL = {"Location": "LOC", "Account": "ACCT", "Portfolio": "PORT", "Policy": "POL"}


def _number(value: Any) -> float:
    return float(value) if value not in (None, "") else 0.0


def treaty_body(row: dict[str, Any], currency: dict[str, Any], cedant: dict[str, Any]) -> dict:
    """A Reinsurance Treaties row -> the Platform create-treaty body."""
    return {
        "treatyName": row["Treaty Name"],
        "treatyNumber": str(row["Treaty Number"])[:20],
        "treatyType": TREATY_TYPES.get(row.get("Type"), "WORK"),
        "riskLimit": _number(row.get("Per-Risk Limit")),
        "occurrenceLimit": _number(row.get("Occurrence Limit")),
        "attachmentPoint": _number(row.get("Attachment Point")),
        "effectiveDate": row.get("Inception Date"),
        "expirationDate": row.get("Expiration Date"),
        "currency": currency,
        "attachmentBasis": ATTACHMENT_BASIS.get(row.get("Attachment Basis"), "L"),
        "attachmentLevel": ATTACHMENT_LEVEL.get(row.get("Exposure Level"), "LOC"),
        "percentageCovered": _number(row.get("% Covered")),
        "percentagePlaced": _number(row.get("% Place")),
        "percentageRiShare": _number(row.get("% Share")),
        "percentageRetention": _number(row.get("% Retention")),
        "premium": _number(row.get("Premium")),
        "numberOfReinstatements": int(_number(row.get("Reinstatements"))),
        "reinstatementCharge": _number(row.get("% Reinstatement Charge")),
        "aggregateLimit": _number(row.get("Aggregate Limit")),
        "aggregateDeductible": _number(row.get("Aggregate Deductible Amount")),
        "priority": int(_number(row.get("Inuring Priority"))),
        "cedant": cedant,
    }


def geohaz_body(portfolio_uri: str, geocode_version: str, hazard_version: str) -> dict:
    """Geocoding plus earthquake and windstorm hazard on one portfolio."""
    hazard_options = {"overrideUserDef": False, "skipPrevHazard": False}
    return {
        "resourceUri": portfolio_uri,
        "resourceType": "portfolio",
        "settings": {
            "layers": [
                {
                    "type": "geocode",
                    "name": "geocode",
                    "engineType": "RL",
                    "version": geocode_version,
                    "layerOptions": {
                        "aggregateTriggerEnabled": "true",
                        "geoLicenseType": "0",
                        "skipPrevGeocoded": False,
                    },
                },
                *(
                    {
                        "type": "hazard",
                        "name": peril,
                        "engineType": "RL",
                        "version": hazard_version,
                        "layerOptions": hazard_options,
                    }
                    for peril in ("earthquake", "windstorm")
                ),
            ]
        },
    }


def model_job_body(
    *,
    portfolio_uri: str,
    analysis_name: str,
    model_type: str,
    model_profile_id: Any,
    output_profile_id: Any,
    event_rate_scheme_id: Any | None,
    treaty_ids: list[Any],
    tag_ids: list[Any],
    currency_code: str = "USD",
) -> dict:
    settings: dict[str, Any] = {
        "name": analysis_name,
        "modelProfileId": model_profile_id,
        "outputProfileId": output_profile_id,
        "treatyIds": treaty_ids,
        "tagIds": tag_ids,
        "currency": {"code": currency_code, "scheme": "RMS", "vintage": "RL23", "asOfDate": None},
    }
    if event_rate_scheme_id is not None:
        settings["eventRateSchemeId"] = event_rate_scheme_id
    return {
        "resourceUri": portfolio_uri,
        "resourceType": "portfolio",
        "type": model_type,
        "settings": settings,
    }


def grouping_body(group_name: str, analysis_uris: list[str], currency_code: str = "USD") -> dict:
    return {
        "resourceType": "analyses",
        "resourceUris": analysis_uris,
        "settings": {
            "analysisName": group_name,
            "currency": {"code": currency_code, "scheme": "RMS", "vintage": "RL23"},
            "simulateToPLT": True,
            "propagateDetailedLosses": False,
            "numOfSimulations": 50000,
            "reportingWindowStart": "01/01/2021",
            "simulationWindowStart": "01/01/2021",
            "simulationWindowEnd": "12/31/2021",
            "regionPerilSimulationSet": [],
            "description": f"Group {group_name}",
        },
    }


def rdm_export_body(
    analysis_uris: list[str], server_id: Any, *, rdm_name: str | None, database_id: Any | None
) -> dict:
    """The seed export creates the RDM by name; the others export into its database id."""
    settings: dict[str, Any] = {"serverId": server_id}
    if database_id is not None:
        settings["databaseId"] = database_id
    else:
        settings["rdmName"] = rdm_name
    return {
        "exportType": "RDM_DATABRIDGE",
        "resourceType": "analyses",
        "resourceUris": analysis_uris,
        "settings": settings,
    }
