"""Risk Data API: data servers, exposure sets, exposures (EDMs) and the CREATE_EDM job."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_moodys.errors import ApiError, require
from mock_moodys.routes.common import (
    RISKDATA,
    created,
    headers_of,
    json_body,
    lister,
    path_int,
    require_resource_group,
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


async def get_exposure(request: Request) -> Response:
    from starlette.responses import JSONResponse

    from mock_moodys.store import public

    state = state_of(request)
    exposure_id = path_int(request, "exposure_id", "RISKDATA-404", "Exposure")
    with state.lock:
        record = state.store.get("exposures", exposure_id)
        if record is None:
            raise ApiError(404, "RISKDATA-404", f"Exposure {exposure_id} not found")
        return JSONResponse(public(record))


ROUTES = [
    Route(f"{RISKDATA}/dataservers", lister("dataservers"), methods=["GET"]),
    Route(f"{RISKDATA}/exposuresets", lister("exposuresets"), methods=["GET"]),
    Route(f"{RISKDATA}/exposuresets", create_exposure_set, methods=["POST"]),
    Route(f"{RISKDATA}/exposuresets/{{set_id}}/exposures", create_exposure, methods=["POST"]),
    Route(f"{RISKDATA}/exposures", lister("exposures"), methods=["GET"]),
    Route(f"{RISKDATA}/exposures/{{exposure_id}}", get_exposure, methods=["GET"]),
]
