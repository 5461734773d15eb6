"""The Starlette application: routes of every module behind the request pipeline."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_moodys.config import MockConfig
from mock_moodys.errors import ApiError, envelope, error_response
from mock_moodys.pipeline import Pipeline
from mock_moodys.routes import (
    control,
    imports,
    jobs,
    legacy,
    modelling,
    portfolios,
    reference,
    riskdata,
    workflows,
)
from mock_moodys.state import MockState

ROUTE_MODULES = (
    control,
    riskdata,
    portfolios,
    imports,
    modelling,
    reference,
    jobs,
    legacy,
    workflows,
)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = envelope("INT-404", f"No route {request.method} {request.url.path}")
    elif exc.status_code == 405:
        body = envelope("INT-405", f"Method {request.method} not allowed on {request.url.path}")
    else:
        body = envelope(f"INT-{exc.status_code}", str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def create_app(config: MockConfig | None = None) -> Starlette:
    """A fresh mock tenant; ``app.state.mock`` is its :class:`MockState`."""
    state = MockState(config or MockConfig())
    routes = [route for module in ROUTE_MODULES for route in module.ROUTES]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Pipeline, state=state, routes=routes)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.mock = state
    return app
