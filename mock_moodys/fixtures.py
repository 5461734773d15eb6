"""Seed fixtures: the reference data a fresh tenant has (moodys-api.md §3 look-ups).

Profile and event-rate names come from ``data/reference.json`` (the reference workbook's
"Moody's Reference Data" sheet), so a configuration that validates also resolves here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_moodys.state import MockState

DATASERVERS = [{"serverName": "databridge-1", "serverType": "DATABRIDGE", "instanceName": "db1"}]


@cache
def reference() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "data" / "reference.json").read_text())


def software_version(profile_name: str) -> str:
    """HD for profiles whose name has an ``HD`` word, else DLM."""
    return "HD" if "HD" in profile_name.upper().replace("_", " ").split() else "DLM"


def _seed_named(state: MockState, kind: str, id_field: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if not state.store.find(kind, name=row["name"]):
            state.store.add(kind, id_field, row)


def seed(state: MockState) -> None:
    """Insert the fixtures that are missing (idempotent)."""
    store, ref = state.store, reference()
    for server in DATASERVERS:
        if not store.find("dataservers", serverName=server["serverName"]):
            store.add("dataservers", "serverId", dict(server))
    _seed_named(
        state,
        "modelprofiles",
        "id",
        [
            {
                "name": name,
                "description": name,
                "softwareVersionCode": software_version(name),
                "modelVersion": "23.0",
            }
            for name in ref["modelProfiles"]
        ],
    )
    _seed_named(
        state,
        "outputprofiles",
        "id",
        [{"name": n, "description": n} for n in ref["outputProfiles"]],
    )
    _seed_named(
        state,
        "eventrateschemes",
        "id",
        [{"name": n, "description": n, "isActive": True} for n in ref["eventRateSchemes"]],
    )
    _seed_named(state, "currencies", "id", [dict(c) for c in ref["currencies"]])
