"""Platform jobs of every API (get, search, PATCH cancel/priority) and Data Bridge jobs."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mock_moodys.errors import ApiError
from mock_moodys.routes.common import json_body, rows_response, state_of

PLATFORM_APIS = frozenset({"riskdata", "import", "export", "geohaz", "model", "grouping"})
PRIORITIES = frozenset({"verylow", "low", "medium", "high", "veryhigh"})
DATABRIDGE_STATUS = {
    "QUEUED": "Enqueued",
    "PENDING": "Enqueued",
    "RUNNING": "Processing",
    "CANCEL_REQUESTED": "Processing",
    "CANCELLING": "Processing",
    "FINISHED": "Succeeded",
    "FAILED": "Failed",
    "CANCELLED": "Deleted",
}


def _api(request: Request) -> str:
    api = request.path_params["api"]
    if api not in PLATFORM_APIS:
        raise ApiError(404, "INT-404", f"Unknown API {api!r}")
    return api


def _job(request: Request, family: str):
    state = state_of(request)
    job_id = request.path_params["job_id"]
    job = state.find_job(job_id, family)
    if job is None:
        raise ApiError(404, "JOB-001", f"Job {job_id} not found")
    return job


async def get_job(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        return JSONResponse(state.job_payload(_job(request, _api(request))))


_ID_FILTER = re.compile(r'^\s*jobId\s*(?:=|IN)\s*\(?\s*((?:"\d+"\s*,?\s*)+)\)?\s*$', re.I)


async def search_jobs(request: Request) -> Response:
    """Filtered search; a plain ``jobId IN (...)`` filter only renders the jobs it names."""
    match = _ID_FILTER.match(request.query_params.get("filter", ""))
    only = set(re.findall(r"\d+", match[1])) if match else None
    return rows_response(request, state_of(request).job_rows(_api(request), only))


async def patch_job(request: Request) -> Response:
    """``{status: "CANCELLED"}`` xor ``{priority}``; 202 with no body."""
    state = state_of(request)
    body = await json_body(request)
    with state.lock:
        job = _job(request, _api(request))
        has_status, has_priority = "status" in body, "priority" in body
        if has_status and has_priority:
            raise ApiError(400, "JOB-601", "Update either status or priority, not both")
        if has_status:
            if str(body["status"]).upper() not in ("CANCELLED", "CANCEL_REQUESTED", "CANCEL"):
                raise ApiError(400, "JOB-608", f"Unsupported status {body['status']!r}")
            state.cancel(job)
        elif has_priority:
            priority = str(body["priority"]).lower()
            if priority not in PRIORITIES:
                raise ApiError(400, "JOB-608", f"Unsupported priority {body['priority']!r}")
            if state.snapshot(job).status != "QUEUED":
                raise ApiError(400, "JOB-608", "Priority can only change while QUEUED")
            job.priority = priority
        else:
            raise ApiError(400, "JOB-601", "The body must carry status or priority")
    return Response(status_code=202)


def _databridge(request: Request) -> tuple[str, str | None]:
    """(Hangfire-style status, error) of a Data Bridge job; 410 for unknown or lost ids."""
    state = state_of(request)
    with state.lock:
        job = state.find_job(request.path_params["job_id"], "databridge")
        if job is None:
            raise ApiError(410, "JOB-410", f"Job {request.path_params['job_id']} is gone")
        status = state.snapshot(job).status
    error = (job.message or "Failed") if status == "FAILED" else None
    return DATABRIDGE_STATUS.get(status, "Processing"), error


async def databridge_job(request: Request) -> Response:
    """The status as a plain JSON string."""
    status, _ = _databridge(request)
    return PlainTextResponse(f'"{status}"', media_type="application/json")


async def databridge_details(request: Request) -> Response:
    return JSONResponse({"error": _databridge(request)[1]})


ROUTES = [
    Route("/platform/{api}/v1/jobs", search_jobs, methods=["GET"]),
    Route("/platform/{api}/v1/jobs/{job_id}", get_job, methods=["GET"]),
    Route("/platform/{api}/v1/jobs/{job_id}", patch_job, methods=["PATCH"]),
    Route("/databridge/v1/jobs/{job_id}", databridge_job, methods=["GET"]),
    Route("/databridge/v1/Jobs/{job_id}", databridge_job, methods=["GET"]),
    Route("/databridge/v1/jobs/{job_id}/details", databridge_details, methods=["GET"]),
    Route("/databridge/v1/Jobs/{job_id}/details", databridge_details, methods=["GET"]),
]
