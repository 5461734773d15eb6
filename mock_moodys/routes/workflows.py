"""Legacy v1 workflows (get, bulk list, cancel), the EDM data upgrade (polled as a v1 workflow)
and the legacy ``/riskmodeler/v1/datasources`` operations."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys.errors import ApiError, bad_request, require
from mock_moodys.routes.common import (
    RISKDATA,
    created,
    headers_of,
    json_body,
    path_int,
    require_resource_group,
    state_of,
)
from mock_moodys.state import MAX_LIMIT

WORKFLOWS = "/riskmodeler/v1/workflows"
DATASOURCE_NAME = re.compile(r"^\w((?!--)[\w\s-])*\w$|^\w$")
LATEST_EDM_VERSION = "23"


def _workflow(request: Request):
    state = state_of(request)
    workflow_id = request.path_params["workflow_id"]
    job = state.find_job(workflow_id, "workflow")
    if job is None:
        raise ApiError(404, "WORKFLOW-511", f"Invalid workflow id {workflow_id}")
    return job


async def get_workflow(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        return JSONResponse(state.job_payload(_workflow(request)))


def _int_param(request: Request, name: str, default: int) -> int:
    try:
        value = int(request.query_params.get(name, default))
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None
    if value < 0:
        raise bad_request(f"{name} must be >= 0")
    return value


async def list_workflows(request: Request) -> Response:
    """``{totalMatchCount, workflows}`` newest first; ``ids``, ``status``, ``workflowtype``,
    ``username``, ``workflowname``, ``from``/``to``, ``sortby``/``sortorder``, paging."""
    state = state_of(request)
    params = request.query_params
    rows = state.job_rows("workflow")
    if params.get("ids"):
        wanted = {i.strip() for i in params["ids"].split(",") if i.strip()}
        rows = [r for r in rows if str(r["id"]) in wanted]
    for param, field in (("status", "status"), ("workflowtype", "type"), ("username", "userName")):
        if params.get(param):
            allowed = {v.strip().upper() for v in params[param].split(",")}
            rows = [r for r in rows if str(r.get(field, "")).upper() in allowed]
    if params.get("workflowname"):
        rows = [r for r in rows if params["workflowname"].lower() in r["name"].lower()]
    if params.get("from"):
        rows = [r for r in rows if r["submitTime"] >= params["from"]]
    if params.get("to"):
        rows = [r for r in rows if r["submitTime"] <= params["to"]]
    if params.get("sortby"):
        key = params["sortby"]
        rows.sort(key=lambda r: (r.get(key) is None, str(r.get(key, ""))))
        if params.get("sortorder", "ASC").upper() == "DESC":
            rows.reverse()
    limit = min(_int_param(request, "limit", MAX_LIMIT), MAX_LIMIT)
    cap = request.scope.get("state", {}).get("page_cap")
    if cap:
        limit = min(limit, cap)
    offset = _int_param(request, "offset", 0)
    return JSONResponse({"totalMatchCount": len(rows), "workflows": rows[offset : offset + limit]})


async def cancel_workflow(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        state.cancel(_workflow(request), "WORKFLOW-515")
    return Response(status_code=202)


async def data_upgrade(request: Request) -> Response:
    """``{edmDataVersion}`` -> 202 + Location of a v1 workflow of type EDM_DATA_UPGRADE."""
    state = state_of(request)
    body = await json_body(request)
    exposure_id = path_int(request, "exposure_id", "RISKDATA-404", "Exposure")
    require_resource_group(request)
    require(body, "edmDataVersion")
    version = str(body["edmDataVersion"])
    if not re.fullmatch(r"\d+(\.\d+){0,2}", version):
        raise bad_request(f"Invalid edmDataVersion {version!r}")
    with state.lock:
        exposure = state.store.get("exposures", exposure_id)
        if exposure is None:
            raise ApiError(404, "RISKDATA-404", f"Exposure {exposure_id} not found")
        job = state.create_job(
            "workflow",
            "EDM_DATA_UPGRADE",
            exposure["exposureName"],
            headers=headers_of(request),
            route=request.url.path,
            params={"exposureId": exposure_id, "edmDataVersion": version},
        )
    return created(request, f"{WORKFLOWS}/{job.id}", 202)


async def datasources(request: Request) -> Response:
    """Legacy ``?datasourcename=&operation=CREATE|EDM_DATA_UPGRADE|DOWNLOAD_EDM``: 202 + v1
    workflow Location (no body)."""
    state = state_of(request)
    params = request.query_params
    name, operation = params.get("datasourcename", ""), params.get("operation", "")
    if not name or len(name) > 80 or not DATASOURCE_NAME.match(name):
        raise bad_request(f"Invalid datasourcename {name!r}")
    if operation not in ("CREATE", "EDM_DATA_UPGRADE", "DOWNLOAD_EDM"):
        raise bad_request(f"Invalid operation {operation!r}")
    with state.lock:
        exposure = state.store.find("exposures", exposureName=name) or state.store.find(
            "exposures", databaseName=name
        )
        if operation == "CREATE":
            if exposure is not None:
                raise ApiError(409, "RISKDATA-409", f"An EDM named {name!r} already exists")
            server = state.store.find("dataservers", serverName=params.get("servername"))
            server = server or next(iter(state.store.rows("dataservers")), {})
            job_type = "CREATE_EDM"
            job_params = {"exposureName": name, "serverId": server.get("serverId")}
        elif exposure is None:
            raise ApiError(404, "RISKDATA-404", f"No EDM named {name!r}")
        else:
            job_type = operation
            job_params = {
                "exposureId": exposure["exposureId"],
                "edmDataVersion": LATEST_EDM_VERSION,
            }
        job = state.create_job(
            "workflow",
            job_type,
            name,
            headers=headers_of(request),
            route=request.url.path,
            params=job_params,
        )
    return created(request, f"{WORKFLOWS}/{job.id}", 202)


ROUTES = [
    Route(WORKFLOWS, list_workflows, methods=["GET"]),
    Route(f"{WORKFLOWS}/{{workflow_id}}", get_workflow, methods=["GET"]),
    Route(f"{WORKFLOWS}/{{workflow_id}}", cancel_workflow, methods=["DELETE"]),
    Route(f"{RISKDATA}/exposures/{{exposure_id}}/data-upgrade", data_upgrade, methods=["POST"]),
    Route("/riskmodeler/v1/datasources", datasources, methods=["POST"]),
]
