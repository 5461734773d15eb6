"""Fixtures for the mock's own tests: an httpx client on the shared real-HTTP mock server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

RESOURCE_GROUP = "00000000-0000-4000-8000-000000000001"
RISKDATA = "/platform/riskdata/v1"


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
