"""Helpers shared by route modules: state access, JSON bodies, Location, job responses."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_moodys.errors import ApiError, bad_request
from mock_moodys.state import MockState, page
from mock_moodys.store import public

RISKDATA = "/platform/riskdata/v1"


def state_of(request: Request) -> MockState:
    return request.app.state.mock


async def json_body(request: Request, *, optional: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if optional:
            return {}
        raise bad_request("A JSON request body is required")
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise bad_request(f"Malformed JSON body: {error}") from None
    if not isinstance(body, dict):
        raise bad_request("The JSON body must be an object")
    return body


def headers_of(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def require_resource_group(request: Request) -> str:
    value = request.headers.get("x-rms-resource-group-id", "").strip()
    if not value:
        raise ApiError(400, "INT-400", "The x-rms-resource-group-id header is required")
    return value


def absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def created(request: Request, path: str, status: int = 201) -> Response:
    """201/202 with an absolute Location and an empty body."""
    return Response(status_code=status, headers={"Location": absolute(request, path)})


def rows_response(request: Request, rows: list[dict[str, Any]]) -> JSONResponse:
    """A Platform search: filter, page (with the short_page fault cap), bare array."""
    cap = request.scope.get("state", {}).get("page_cap")
    return JSONResponse(page([public(r) for r in rows], dict(request.query_params), cap))


def lister(kind: str):
    """A GET handler searching the ``kind`` table (``filter``, paging)."""

    async def handler(request: Request) -> Response:
        state = state_of(request)
        with state.lock:
            return rows_response(request, state.store.rows(kind))

    handler.__name__ = f"list_{kind}"
    return handler


def path_int(request: Request, name: str, code: str = "INT-404", what: str = "Resource") -> int:
    value = request.path_params[name]
    try:
        return int(value)
    except ValueError:
        raise ApiError(404, code, f"{what} {value} not found") from None


def getter(kind: str, param: str, what: str, code: str = "RISKDATA-404"):
    """A GET handler for one ``kind`` record by the ``param`` path id."""

    async def handler(request: Request) -> Response:
        state = state_of(request)
        record_id = path_int(request, param, code, what)
        with state.lock:
            record = state.store.get(kind, record_id)
            if record is None:
                raise ApiError(404, code, f"{what} {record_id} not found")
            return JSONResponse(public(record))

    return handler
