"""Async submissions after import: GeoHaz, model (DLM/HD), grouping and export jobs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_moodys import resources
from mock_moodys.errors import bad_request, require
from mock_moodys.routes.common import (
    created,
    headers_of,
    json_body,
    require_resource_group,
    state_of,
)

LAYER_TYPES = frozenset({"geocode", "hazard"})
EXPORT_TYPES = frozenset({"RDM_DATABRIDGE", "RESULTS"})


async def _submit(request: Request, api: str, build) -> Response:
    """Common shape: body, resource group, validation + job under the lock, 201 + Location."""
    state = state_of(request)
    body = await json_body(request)
    require_resource_group(request)
    with state.lock:
        job_type, name, spec = build(state, body)
        job = state.create_job(
            api,
            job_type,
            name,
            headers=headers_of(request),
            route=request.url.path,
            tasks=spec.pop("tasks", None),
            resources=spec.pop("resources", []),
            params={**spec, "baseUrl": str(request.base_url).rstrip("/")},
        )
    return created(request, f"/platform/{api}/v1/jobs/{job.id}")


def _settings(body: dict[str, Any]) -> dict[str, Any]:
    settings = body.get("settings")
    if not isinstance(settings, dict):
        raise bad_request("settings must be an object")
    return settings


def _geohaz(state, body: dict[str, Any]):
    require(body, "resourceUri", "resourceType", "settings")
    resources.one_of(body, "resourceType", frozenset({"portfolio"}))
    portfolio = resources.portfolio_by_uri(state, body["resourceUri"])
    layers = _settings(body).get("layers")
    if not isinstance(layers, list) or not layers:
        raise bad_request("settings.layers must be a non-empty list")
    for layer in layers:
        if not isinstance(layer, dict):
            raise bad_request("each layer must be an object")
        resources.one_of(layer, "type", LAYER_TYPES)
        require(layer, "name", "engineType", "version")
    kinds = {layer["type"] for layer in layers}
    tasks = [t for k, t in (("geocode", "GEOCODING"), ("hazard", "HAZARD")) if k in kinds]
    exposure = state.store.get("exposures", portfolio["_exposureId"])
    name = f"{exposure['exposureName']}: PORTFOLIO: {portfolio['portfolioName']}"
    return (
        "GEOHAZ",
        name,
        {
            "tasks": tasks,
            "resources": [portfolio["uri"]],
            "portfolioId": portfolio["portfolioId"],
            "layers": layers,
        },
    )


def _model(state, body: dict[str, Any]):
    require(body, "resourceUri", "resourceType", "type", "settings")
    resources.one_of(body, "resourceType", frozenset({"portfolio"}))
    model_type = resources.one_of(body, "type", frozenset({"DLM", "HD"}))
    portfolio = resources.portfolio_by_uri(state, body["resourceUri"])
    settings = _settings(body)
    require(settings, "name", "modelProfileId", "outputProfileId")
    profile = state.store.get("modelprofiles", settings["modelProfileId"])
    if profile is None:
        raise bad_request(f"Unknown modelProfileId {settings['modelProfileId']!r}")
    if profile["softwareVersionCode"] != model_type:
        raise bad_request(f"Model profile {profile['name']!r} is not a {model_type} profile")
    if state.store.get("outputprofiles", settings["outputProfileId"]) is None:
        raise bad_request(f"Unknown outputProfileId {settings['outputProfileId']!r}")
    if model_type == "DLM":
        require(settings, "eventRateSchemeId")
        if state.store.get("eventrateschemes", settings["eventRateSchemeId"]) is None:
            raise bad_request(f"Unknown eventRateSchemeId {settings['eventRateSchemeId']!r}")
    for field, kind, owner in (("treatyIds", "treaties", True), ("tagIds", "tags", False)):
        ids = settings.get(field) or []
        if not isinstance(ids, list):
            raise bad_request(f"settings.{field} must be a list")
        for item in ids:
            record = state.store.get(kind, item)
            wrong_edm = owner and record and record["_exposureId"] != portfolio["_exposureId"]
            if record is None or wrong_edm:
                raise bad_request(f"Unknown id {item!r} in settings.{field}")
    return (
        model_type,
        str(settings["name"]),
        {
            "tasks": [model_type],
            "resources": [portfolio["uri"]],
            "exposureId": portfolio["_exposureId"],
            "portfolioId": portfolio["portfolioId"],
            "settings": settings,
        },
    )


def _grouping(state, body: dict[str, Any]):
    require(body, "resourceType", "resourceUris", "settings")
    resources.one_of(body, "resourceType", frozenset({"analyses"}))
    members = resources.analyses_by_uri(state, body["resourceUris"])
    settings = _settings(body)
    require(settings, "analysisName")
    simulations = settings.get("numOfSimulations", 50000)
    if isinstance(simulations, bool) or not isinstance(simulations, int) or simulations < 1:
        raise bad_request("settings.numOfSimulations must be a positive integer")
    return (
        "GROUPING",
        str(settings["analysisName"]),
        {
            "tasks": ["GROUPING"],
            "resources": [m["uri"] for m in members],
            "members": [m["analysisId"] for m in members],
            "settings": settings,
        },
    )


def _export(state, body: dict[str, Any]):
    require(body, "exportType", "resourceType", "resourceUris")
    export_type = resources.one_of(body, "exportType", EXPORT_TYPES)
    resources.one_of(body, "resourceType", frozenset({"analyses"}))
    members = resources.analyses_by_uri(state, body["resourceUris"])
    spec: dict[str, Any] = {
        "resources": [m["uri"] for m in members],
        "members": [m["analysisId"] for m in members],
    }
    if export_type == "RESULTS":
        return "RESULTS", "RESULTS", {**spec, "tasks": ["EXPORT", "DOWNLOAD_RESULTS"]}
    settings = _settings(body)
    require(settings, "serverId")
    if state.store.get("dataservers", settings["serverId"]) is None:
        raise bad_request(f"Unknown serverId {settings['serverId']!r}")
    if bool(settings.get("rdmName")) == bool(settings.get("databaseId")):
        raise bad_request("settings needs exactly one of rdmName and databaseId")
    if settings.get("databaseId"):
        database = state.store.get("databases", settings["databaseId"])
        if database is None or database["type"] != "RDM":
            raise bad_request(f"Unknown RDM databaseId {settings['databaseId']!r}")
        name = database["databaseName"]
    else:
        name = str(settings["rdmName"])
    return "RDM_DATABRIDGE", name, {**spec, "tasks": ["EXPORT_TO_RDM"], "settings": settings}


async def submit_geohaz(request: Request) -> Response:
    return await _submit(request, "geohaz", _geohaz)


async def submit_model(request: Request) -> Response:
    return await _submit(request, "model", _model)


async def submit_grouping(request: Request) -> Response:
    return await _submit(request, "grouping", _grouping)


async def submit_export(request: Request) -> Response:
    return await _submit(request, "export", _export)


ROUTES = [
    Route("/platform/geohaz/v1/jobs", submit_geohaz, methods=["POST"]),
    Route("/platform/model/v1/jobs", submit_model, methods=["POST"]),
    Route("/platform/grouping/v1/jobs", submit_grouping, methods=["POST"]),
    Route("/platform/export/v1/jobs", submit_export, methods=["POST"]),
]
