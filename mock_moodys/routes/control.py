"""The control plane under ``/_mock/`` (no auth, not journaled, never faulted)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys.errors import ApiError
from mock_moodys.routes.common import json_body, state_of


def _bad(error: Exception) -> ApiError:
    return ApiError(400, "MOCK-400", str(error).strip("'\""))


def _clock(state) -> dict[str, Any]:
    return {"now": state.now(), "factor": state.clock.factor, "manual": state.clock.manual}


async def reset(request: Request) -> Response:
    state_of(request).reset()
    return JSONResponse({"reset": True})


async def seed(request: Request) -> Response:
    """Re-insert missing fixtures; optional ``{resources: {kind: [records]}}`` adds records."""
    state = state_of(request)
    body = await json_body(request, optional=True)
    added: dict[str, list] = {}
    with state.lock:
        state.seed()
        for kind, records in (body.get("resources") or {}).items():
            id_field = _ID_FIELDS.get(kind, "id")
            added[kind] = [state.store.add(kind, id_field, dict(r))[id_field] for r in records]
    return JSONResponse({"seeded": True, "added": added})


_ID_FIELDS = {
    "dataservers": "serverId",
    "exposuresets": "exposureSetId",
    "exposures": "exposureId",
    "portfolios": "portfolioId",
    "accounts": "accountId",
    "treaties": "treatyId",
    "cedants": "cedantId",
    "lobs": "lobId",
    "analyses": "analysisId",
    "databases": "databaseId",
    "tags": "tagId",
}


async def clock(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request, optional=True)
    try:
        with state.lock:
            state.clock.configure(body.get("factor"), body.get("manual"))
    except (TypeError, ValueError) as error:
        raise _bad(error) from None
    return JSONResponse(_clock(state))


async def get_clock(request: Request) -> Response:
    return JSONResponse(_clock(state_of(request)))


async def advance(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request, optional=True)
    seconds = body.get("seconds", request.query_params.get("seconds"))
    try:
        state.advance(float(seconds))
    except (TypeError, ValueError) as error:
        raise _bad(error) from None
    return JSONResponse(_clock(state))


async def job_outcome(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    details = {k: v for k, v in body.items() if k != "outcome"}
    job_id = request.path_params["job_id"]
    try:
        result = state.set_outcome(job_id, str(body.get("outcome")), **details)
    except KeyError:
        raise ApiError(404, "MOCK-404", f"No job {request.path_params['job_id']}") from None
    except ValueError as error:
        raise _bad(error) from None
    return JSONResponse(result)


async def add_outcome_rule(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    try:
        rule = state.add_rule(body)
    except (TypeError, ValueError) as error:
        raise _bad(error) from None
    return JSONResponse({"outcome": rule.outcome, "rules": len(state.rules)}, status_code=201)


async def clear_outcome_rules(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        state.rules.clear()
    return Response(status_code=204)


async def add_fault(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    try:
        fault = state.add_fault(**body)
    except (TypeError, ValueError) as error:
        raise _bad(error) from None
    return JSONResponse(fault, status_code=201)


async def list_faults(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        return JSONResponse([f.public() for f in state.faults.faults])


async def clear_faults(request: Request) -> Response:
    state_of(request).clear_faults()
    return Response(status_code=204)


async def journal(request: Request) -> Response:
    params = request.query_params
    rows = state_of(request).journal(params.get("path") or None, params.get("method") or None)
    return JSONResponse(rows)


async def ledger(request: Request) -> Response:
    return JSONResponse(state_of(request).ledger())


async def request_id_count(request: Request) -> Response:
    rid = request.path_params["request_id"]
    return JSONResponse({"requestId": rid, "jobs": state_of(request).workflows_for_request_id(rid)})


async def list_jobs(request: Request) -> Response:
    """Every job (including lost ones) with its family and planned outcome, newest first."""
    state = state_of(request)
    with state.lock:
        state.sync()
        rows = []
        for job in sorted(state.jobs.values(), key=lambda j: -j.id):
            snap = state.snapshot(job)
            rows.append(
                {
                    "id": str(job.id),
                    "family": job.family,
                    "type": job.type,
                    "name": job.name,
                    "status": snap.status,
                    "progress": snap.progress,
                    "lost": job.lost,
                    "requestId": job.request_id,
                }
            )
    return JSONResponse(rows)


ROUTES = [
    Route("/_mock/reset", reset, methods=["POST"]),
    Route("/_mock/seed", seed, methods=["POST"]),
    Route("/_mock/clock", clock, methods=["POST"]),
    Route("/_mock/clock", get_clock, methods=["GET"]),
    Route("/_mock/clock/advance", advance, methods=["POST"]),
    Route("/_mock/jobs", list_jobs, methods=["GET"]),
    Route("/_mock/jobs/{job_id}/outcome", job_outcome, methods=["POST"]),
    Route("/_mock/outcomes", add_outcome_rule, methods=["POST"]),
    Route("/_mock/outcomes", clear_outcome_rules, methods=["DELETE"]),
    Route("/_mock/faults", add_fault, methods=["POST"]),
    Route("/_mock/faults", list_faults, methods=["GET"]),
    Route("/_mock/faults", clear_faults, methods=["DELETE"]),
    Route("/_mock/journal", journal, methods=["GET"]),
    Route("/_mock/ledger", ledger, methods=["GET"]),
    Route("/_mock/requests/{request_id}", request_id_count, methods=["GET"]),
]
