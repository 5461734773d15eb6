"""Fixtures for the mock's own tests: an httpx client on the shared real-HTTP mock server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, create_edm, finish, job_id

RESOURCE_GROUP = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def http(mock_server) -> Iterator[httpx.Client]:
    """A plain client with the headers every real request carries."""
    headers = {"Authorization": "test-key", "x-rms-resource-group-id": RESOURCE_GROUP}
    with httpx.Client(base_url=mock_server.base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def edm_setup(http):
    """(serverId, exposureSetId) ready for a CREATE_EDM submission."""
    server = http.get(f"{RISKDATA}/dataservers", params={"filter": 'serverName="databridge-1"'})
    created = http.post(f"{RISKDATA}/exposuresets", json={"exposureSetName": "set-1"})
    return server.json()[0]["serverId"], created.headers["location"].rsplit("/", 1)[-1]


@pytest.fixture
def portfolio(http, mock_server, edm_setup) -> dict:
    server_id, set_id = edm_setup
    finish(http, mock_server, create_edm(http, set_id, server_id, "EDM_FULL").headers["location"])
    exposure = http.get(f"{RISKDATA}/exposures", params={"filter": 'exposureName="EDM_FULL"'})
    exposure_id = exposure.json()[0]["exposureId"]
    path = f"{RISKDATA}/exposures/{exposure_id}/portfolios"
    body = {"portfolioName": "USFL", "portfolioNumber": "USFL", "description": "d"}
    response = http.post(path, json=body)
    assert response.status_code == 201 and response.content == b""
    assert_envelope(http.post(path, json=body), 409)
    assert_envelope(http.post(path, json={**body, "portfolioNumber": "x" * 21}), 400)
    rows = http.get(path, params={"filter": 'portfolioName="USFL"'}).json()
    assert str(rows[0]["portfolioId"]) == job_id(response)
    return {"exposure_id": exposure_id, **rows[0]}
