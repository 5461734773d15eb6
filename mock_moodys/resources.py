"""Look-ups of riskdata resources by id or URI, raising the real-looking 400/404 envelopes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mock_moodys.errors import ApiError, bad_request

if TYPE_CHECKING:
    from mock_moodys.state import MockState

RISKDATA = "/platform/riskdata/v1"
_PORTFOLIO_URI = re.compile(r"/platform/riskdata/v1/exposures/(\d+)/portfolios/(\d+)/?$")
_ANALYSIS_URI = re.compile(r"/platform/riskdata/v1/analyses/(\d+)/?$")
_EXPOSURE_URI = re.compile(r"/platform/riskdata/v1/exposures/(\d+)/?$")


def exposure(state: MockState, exposure_id: Any, status: int = 404) -> dict[str, Any]:
    record = state.store.get("exposures", exposure_id)
    if record is None:
        raise ApiError(status, f"RISKDATA-{status}", f"Exposure {exposure_id} not found")
    return record


def portfolio(
    state: MockState, exposure_id: Any, portfolio_id: Any, status: int = 404
) -> dict[str, Any]:
    exposure(state, exposure_id, status)
    record = state.store.get("portfolios", portfolio_id)
    if record is None or record["_exposureId"] != int(exposure_id):
        raise ApiError(status, f"RISKDATA-{status}", f"Portfolio {portfolio_id} not found")
    return record


def portfolio_by_uri(state: MockState, uri: Any) -> dict[str, Any]:
    """The portfolio a ``resourceUri`` names (400 when malformed or unknown)."""
    match = _PORTFOLIO_URI.search(str(uri or ""))
    if not match:
        raise bad_request(f"resourceUri {uri!r} is not a portfolio URI")
    return portfolio(state, match[1], match[2], status=400)


def exposure_by_uri(state: MockState, uri: Any) -> dict[str, Any]:
    match = _EXPOSURE_URI.search(str(uri or ""))
    if not match:
        raise bad_request(f"resourceUri {uri!r} is not an exposure URI")
    return exposure(state, match[1], status=400)


def analyses_by_uri(state: MockState, uris: Any) -> list[dict[str, Any]]:
    if not isinstance(uris, list) or not uris:
        raise bad_request("resourceUris must be a non-empty list of analysis URIs")
    found = []
    for uri in uris:
        match = _ANALYSIS_URI.search(str(uri))
        record = state.store.get("analyses", match[1]) if match else None
        if record is None:
            raise bad_request(f"resourceUri {uri!r} is not an existing analysis")
        found.append(record)
    return found


def one_of(body: dict[str, Any], field: str, allowed: set[str] | frozenset[str]) -> str:
    value = body.get(field)
    if value not in allowed:
        raise bad_request(f"{field} must be one of {sorted(allowed)}, got {value!r}")
    return value
