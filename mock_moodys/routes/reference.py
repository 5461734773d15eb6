"""Reference data: model/output profiles, event rate schemes, tags, currencies."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys.errors import ApiError, require
from mock_moodys.filters import FilterError, compile_filter
from mock_moodys.routes.common import created, getter, json_body, lister, state_of
from mock_moodys.store import public

REFERENCE = "/platform/referencedata/v1"


def _named(request: Request, kind: str) -> list[dict]:
    """Rows of ``kind`` (optionally ``?name=`` exact, ``?where=`` grammar), paged."""
    state = state_of(request)
    params = request.query_params
    try:
        predicate = compile_filter(params.get("where") or params.get("filter"))
    except FilterError as error:
        raise ApiError(400, "INT-400", f"Invalid where clause: {error}") from None
    with state.lock:
        rows = [public(r) for r in state.store.rows(kind)]
    if params.get("name"):
        rows = [r for r in rows if r["name"] == params["name"]]
    rows = [r for r in rows if predicate(r)]
    try:
        limit, offset = int(params.get("limit", 100)), int(params.get("offset", 0))
    except ValueError:
        raise ApiError(400, "INT-400", "limit and offset must be integers") from None
    return rows[offset : offset + limit]


def _counted(kind: str):
    async def handler(request: Request) -> Response:
        rows = _named(request, kind)
        return JSONResponse({"count": len(rows), "items": rows})

    return handler


async def output_profiles(request: Request) -> Response:
    return JSONResponse(_named(request, "outputprofiles"))


async def create_tag(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    require(body, "tagName")
    name = str(body["tagName"])
    with state.lock:
        if state.store.find("tags", tagName=name):
            raise ApiError(409, "REFERENCE-409", f"A tag named {name!r} already exists")
        record = state.store.add("tags", "tagId", {"tagName": name})
    return created(request, f"{REFERENCE}/tags/{record['tagId']}")


ROUTES = [
    Route("/analysis-settings/modelprofiles", _counted("modelprofiles"), methods=["GET"]),
    Route(
        "/analysis-settings/modelprofiles/{item_id}",
        getter("modelprofiles", "item_id", "Model profile", "INT-404"),
        methods=["GET"],
    ),
    Route("/analysis-settings/outputprofiles", output_profiles, methods=["GET"]),
    Route(
        "/analysis-settings/outputprofiles/{item_id}",
        getter("outputprofiles", "item_id", "Output profile", "INT-404"),
        methods=["GET"],
    ),
    Route(
        "/data-store/referencetables/eventratescheme",
        _counted("eventrateschemes"),
        methods=["GET"],
    ),
    Route(f"{REFERENCE}/tags", lister("tags"), methods=["GET"]),
    Route(f"{REFERENCE}/tags", create_tag, methods=["POST"]),
    Route(
        f"{REFERENCE}/tags/{{item_id}}",
        getter("tags", "item_id", "Tag", "INT-404"),
        methods=["GET"],
    ),
    Route(f"{REFERENCE}/currencies", lister("currencies"), methods=["GET"]),
]
