"""Seed fixtures: the reference data a fresh tenant has (moodys-api.md §3 look-ups)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mock_moodys.state import MockState

DATASERVERS = [{"serverName": "databridge-1", "serverType": "DATABRIDGE"}]


def seed(state: MockState) -> None:
    """Insert the fixtures that are missing (idempotent)."""
    store = state.store
    for server in DATASERVERS:
        if not store.find("dataservers", serverName=server["serverName"]):
            store.add("dataservers", "serverId", dict(server))
