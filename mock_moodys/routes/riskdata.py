"""Risk Data API: data servers, exposure sets, exposures (EDMs) and the CREATE_EDM job."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys import resources
from mock_moodys.errors import ApiError, require
from mock_moodys.routes.common import (
    RISKDATA,
    created,
    getter,
    headers_of,
    json_body,
    lister,
    path_int,
    require_resource_group,
    rows_response,
    state_of,
)


async def create_exposure_set(request: Request) -> Response:
    """Synchronous create: 201 + Location of the set; 409 on a duplicate name."""
    state = state_of(request)
    body = await json_body(request)
    require(body, "exposureSetName")
    name = str(body["exposureSetName"])
    with state.lock:
        if state.store.find("exposuresets", exposureSetName=name):
            raise ApiError(409, "RISKDATA-409", f"An exposure set named {name!r} already exists")
        record = state.store.add("exposuresets", "exposureSetId", {"exposureSetName": name})
        record_id = record["exposureSetId"]
        record["uri"] = f"{RISKDATA}/exposuresets/{record_id}"
    return created(request, f"{RISKDATA}/exposuresets/{record_id}")


async def create_exposure(request: Request) -> Response:
    """Create EDM: 202 + Location of a riskdata job of type CREATE_EDM."""
    state = state_of(request)
    body = await json_body(request)
    set_id = path_int(request, "set_id", "RISKDATA-404", "Exposure set")
    require_resource_group(request)
    require(body, "exposureName", "serverId")
    name = str(body["exposureName"])
    with state.lock:
        if state.store.get("exposuresets", set_id) is None:
            raise ApiError(404, "RISKDATA-404", f"Exposure set {set_id} not found")
        if state.store.get("dataservers", body["serverId"]) is None:
            raise ApiError(400, "RISKDATA-400", f"Unknown serverId {body['serverId']!r}")
        if state.store.find("exposures", exposureName=name):
            raise ApiError(409, "RISKDATA-409", f"An exposure named {name!r} already exists")
        job = state.create_job(
            "riskdata",
            "CREATE_EDM",
            name,
            headers=headers_of(request),
            route=request.url.path,
            resources=[f"{RISKDATA}/exposuresets/{set_id}"],
            params={"exposureName": name, "serverId": body["serverId"], "exposureSetId": set_id},
        )
    return created(request, f"{RISKDATA}/jobs/{job.id}", 202)


async def delete_exposure(request: Request) -> Response:
    """Delete EDM: 202 + Location of a riskdata job DELETE_EDM."""
    state = state_of(request)
    require_resource_group(request)
    exposure_id = path_int(request, "exposure_id", "RISKDATA-404", "Exposure")
    with state.lock:
        record = resources.exposure(state, exposure_id)
        job = state.create_job(
            "riskdata",
            "DELETE_EDM",
            record["exposureName"],
            headers=headers_of(request),
            route=request.url.path,
            resources=[record["uri"]],
            params={"exposureId": exposure_id},
        )
    return created(request, f"{RISKDATA}/jobs/{job.id}", 202)


async def server_databases(request: Request) -> Response:
    state = state_of(request)
    server_id = path_int(request, "server_id", "RISKDATA-404", "Data server")
    with state.lock:
        if state.store.get("dataservers", server_id) is None:
            raise ApiError(404, "RISKDATA-404", f"Data server {server_id} not found")
        return rows_response(request, state.store.rows("databases", serverId=server_id))


async def delete_rdm(request: Request) -> Response:
    """Data Bridge: 202 + JSON ``{jobId}`` of a DELETE_RDM Data Bridge job."""
    state = state_of(request)
    instance, name = request.path_params["instance"], request.path_params["name"]
    with state.lock:
        servers = [
            s
            for s in state.store.rows("dataservers")
            if instance in (s.get("instanceName"), s.get("serverName"))
        ]
        if not servers:
            raise ApiError(404, "DATABRIDGE-404", f"Unknown SQL instance {instance!r}")
        server = servers[0]
        database = state.store.find("databases", serverId=server["serverId"], databaseName=name)
        if database is None:
            raise ApiError(404, "DATABRIDGE-404", f"Unknown database {name!r}")
        job = state.create_job(
            "databridge",
            "DELETE_RDM",
            name,
            headers=headers_of(request),
            route=request.url.path,
            params={"databaseId": database["databaseId"]},
        )
    return JSONResponse({"jobId": str(job.id)}, status_code=202)


ROUTES = [
    Route(f"{RISKDATA}/dataservers", lister("dataservers"), methods=["GET"]),
    Route(f"{RISKDATA}/exposuresets", lister("exposuresets"), methods=["GET"]),
    Route(f"{RISKDATA}/exposuresets", create_exposure_set, methods=["POST"]),
    Route(f"{RISKDATA}/exposuresets/{{set_id}}/exposures", create_exposure, methods=["POST"]),
    Route(f"{RISKDATA}/exposures", lister("exposures"), methods=["GET"]),
    Route(
        f"{RISKDATA}/exposures/{{exposure_id}}",
        getter("exposures", "exposure_id", "Exposure"),
        methods=["GET"],
    ),
    Route(f"{RISKDATA}/exposures/{{exposure_id}}", delete_exposure, methods=["DELETE"]),
    Route(
        f"{RISKDATA}/dataservers/{{server_id}}",
        getter("dataservers", "server_id", "Data server"),
        methods=["GET"],
    ),
    Route(f"{RISKDATA}/dataservers/{{server_id}}/databases", server_databases, methods=["GET"]),
    Route(f"{RISKDATA}/analyses", lister("analyses"), methods=["GET"]),
    Route(
        f"{RISKDATA}/analyses/{{analysis_id}}",
        getter("analyses", "analysis_id", "Analysis"),
        methods=["GET"],
    ),
    Route(
        "/databridge/v1/sql-instances/{instance}/databases/{name}", delete_rdm, methods=["DELETE"]
    ),
]
