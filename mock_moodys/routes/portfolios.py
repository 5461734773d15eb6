"""Synchronous riskdata resources under an exposure: portfolios (+ accounts), cedants, LOBs,
treaties (+ their LOBs). Creates answer 201 + Location with an empty body; 409 on duplicates."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys import resources
from mock_moodys.clock import iso_ms
from mock_moodys.errors import ApiError, bad_request, require
from mock_moodys.routes.common import RISKDATA, created, json_body, rows_response, state_of
from mock_moodys.store import public

EXPOSURE = f"{RISKDATA}/exposures/{{exposure_id}}"
TREATY_TYPES = frozenset({"CATA", "CORP", "NCAT", "QUOT", "STOP", "SURP", "WORK"})
ATTACHMENT_BASIS = frozenset({"L", "R"})
ATTACHMENT_LEVELS = frozenset({"ACCT", "PORT", "POL", "LOC"})
TREATY_NUMBERS = (
    "riskLimit",
    "occurrenceLimit",
    "attachmentPoint",
    "premium",
    "reinstatementCharge",
    "aggregateLimit",
    "aggregateDeductible",
    "numberOfReinstatements",
    "priority",
)
TREATY_PERCENTAGES = (
    "percentageCovered",
    "percentagePlaced",
    "percentageRiShare",
    "percentageRetention",
)


def _ids(request: Request, *names: str) -> list[str]:
    return [request.path_params[n] for n in names]


def _children(kind: str, parent: str, check):
    """A GET handler listing ``kind`` rows whose ``_<parent>`` matches the path."""

    async def handler(request: Request) -> Response:
        state = state_of(request)
        with state.lock:
            owner = check(state, request)
            rows = state.store.rows(kind, **{f"_{parent}": owner})
            return rows_response(request, rows)

    return handler


def _exposure_id(state, request: Request) -> int:
    return resources.exposure(state, request.path_params["exposure_id"])["exposureId"]


def _portfolio_id(state, request: Request) -> int:
    exposure_id, portfolio_id = _ids(request, "exposure_id", "portfolio_id")
    return resources.portfolio(state, exposure_id, portfolio_id)["portfolioId"]


def _treaty(state, request: Request) -> dict[str, Any]:
    exposure_id, treaty_id = _ids(request, "exposure_id", "treaty_id")
    resources.exposure(state, exposure_id)
    record = state.store.get("treaties", treaty_id)
    if record is None or record["_exposureId"] != int(exposure_id):
        raise ApiError(404, "RISKDATA-404", f"Treaty {treaty_id} not found")
    return record


async def create_portfolio(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    require(body, "portfolioName", "portfolioNumber")
    name, number = str(body["portfolioName"]), str(body["portfolioNumber"])
    if len(number) > 20:
        raise bad_request("portfolioNumber must be at most 20 characters")
    with state.lock:
        exposure_id = _exposure_id(state, request)
        if state.store.find("portfolios", _exposureId=exposure_id, portfolioName=name):
            raise ApiError(409, "RISKDATA-409", f"A portfolio named {name!r} already exists")
        record = state.store.add(
            "portfolios",
            "portfolioId",
            {
                "portfolioName": name,
                "portfolioNumber": number,
                "description": str(body.get("description") or ""),
                "createDate": iso_ms(state.clock.at(state.now())),
                "_exposureId": exposure_id,
            },
        )
        path = f"{RISKDATA}/exposures/{exposure_id}/portfolios/{record['portfolioId']}"
        record["uri"] = path
    return created(request, path)


async def get_portfolio(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        exposure_id, portfolio_id = _ids(request, "exposure_id", "portfolio_id")
        return JSONResponse(public(resources.portfolio(state, exposure_id, portfolio_id)))


def _validate_treaty(state, exposure_id: int, body: dict[str, Any]) -> dict[str, Any]:
    require(
        body,
        "treatyName",
        "treatyNumber",
        "treatyType",
        "attachmentBasis",
        "attachmentLevel",
        "effectiveDate",
        "expirationDate",
        "currency",
        "cedant",
    )
    if len(str(body["treatyNumber"])) > 20:
        raise bad_request("treatyNumber must be at most 20 characters")
    resources.one_of(body, "treatyType", TREATY_TYPES)
    resources.one_of(body, "attachmentBasis", ATTACHMENT_BASIS)
    resources.one_of(body, "attachmentLevel", ATTACHMENT_LEVELS)
    for field in TREATY_NUMBERS + TREATY_PERCENTAGES:
        value = body.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise bad_request(f"{field} must be a number")
    for field in TREATY_PERCENTAGES:
        if body.get(field) is not None and not 0 <= body[field] <= 100:
            raise bad_request(f"{field} must be within 0..100")
    currency = body["currency"] if isinstance(body["currency"], dict) else {}
    if not state.store.find("currencies", code=currency.get("code")):
        raise bad_request(f"Unknown currency {body['currency']!r}")
    cedant = body["cedant"] if isinstance(body["cedant"], dict) else {}
    record = state.store.get("cedants", cedant.get("cedantId"))
    if record is None or record["_exposureId"] != exposure_id:
        raise bad_request(f"Unknown cedant {body['cedant']!r} in exposure {exposure_id}")
    return body


async def create_treaty(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    with state.lock:
        exposure_id = _exposure_id(state, request)
        _validate_treaty(state, exposure_id, body)
        name = str(body["treatyName"])
        if state.store.find("treaties", _exposureId=exposure_id, treatyName=name):
            raise ApiError(409, "RISKDATA-409", f"A treaty named {name!r} already exists")
        record = state.store.add("treaties", "treatyId", {**body, "_exposureId": exposure_id})
        path = f"{RISKDATA}/exposures/{exposure_id}/treaties/{record['treatyId']}"
        record["uri"] = path
    return created(request, path)


async def get_treaty(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        return JSONResponse(public(_treaty(state, request)))


async def add_treaty_lob(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    require(body, "lobId")
    with state.lock:
        treaty = _treaty(state, request)
        lob = state.store.get("lobs", body["lobId"])
        if lob is None or lob["_exposureId"] != treaty["_exposureId"]:
            raise bad_request(f"Unknown lobId {body['lobId']!r}")
        if state.store.find("treatylobs", _treatyId=treaty["treatyId"], lobId=lob["lobId"]):
            raise ApiError(409, "RISKDATA-409", f"LOB {lob['lobId']} is already on the treaty")
        state.store.add(
            "treatylobs",
            "id",
            {"lobId": lob["lobId"], "lobName": lob["lobName"], "_treatyId": treaty["treatyId"]},
        )
        path = f"{treaty['uri']}/lob/{lob['lobId']}"
    return created(request, path)


ROUTES = [
    Route(f"{EXPOSURE}/portfolios", create_portfolio, methods=["POST"]),
    Route(
        f"{EXPOSURE}/portfolios",
        _children("portfolios", "exposureId", _exposure_id),
        methods=["GET"],
    ),
    Route(f"{EXPOSURE}/portfolios/{{portfolio_id}}", get_portfolio, methods=["GET"]),
    Route(
        f"{EXPOSURE}/portfolios/{{portfolio_id}}/accounts",
        _children("accounts", "portfolioId", _portfolio_id),
        methods=["GET"],
    ),
    Route(f"{EXPOSURE}/cedants", _children("cedants", "exposureId", _exposure_id), methods=["GET"]),
    Route(f"{EXPOSURE}/lobs", _children("lobs", "exposureId", _exposure_id), methods=["GET"]),
    Route(f"{EXPOSURE}/treaties", create_treaty, methods=["POST"]),
    Route(
        f"{EXPOSURE}/treaties", _children("treaties", "exposureId", _exposure_id), methods=["GET"]
    ),
    Route(f"{EXPOSURE}/treaties/{{treaty_id}}", get_treaty, methods=["GET"]),
    Route(f"{EXPOSURE}/treaties/{{treaty_id}}/lob", add_treaty_lob, methods=["POST"]),
    Route(
        f"{EXPOSURE}/treaties/{{treaty_id}}/lob",
        _children("treatylobs", "treatyId", lambda s, r: _treaty(s, r)["treatyId"]),
        methods=["GET"],
    ),
]
