"""Moody's look-ups behind workbook validation (the workbook's ``ReferenceChecker`` protocol)."""

from __future__ import annotations

from typing import Any

from irp_dagster.moodys.client import MoodysClient

DATA_SERVER = "databridge-1"


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


class MoodysReferenceChecker:
    """Answers "does this name exist at Moody's?" with the documented synchronous look-ups."""

    def __init__(self, client: MoodysClient, data_server: str = DATA_SERVER) -> None:
        self.client = client
        self.data_server = data_server

    def _items(self, path: str, **params: Any) -> list[dict]:
        body = self.client.request("GET", path, params=params).json()
        return body.get("items", []) if isinstance(body, dict) else body

    def model_profile_exists(self, name: str) -> bool:
        return any(
            item.get("name") == name
            for item in self._items("/analysis-settings/modelprofiles", name=name)
        )

    def output_profile_exists(self, name: str) -> bool:
        return any(
            item.get("name") == name
            for item in self._items("/analysis-settings/outputprofiles", name=name)
        )

    def event_rate_scheme_exists(self, name: str) -> bool:
        rows = self._items(
            "/data-store/referencetables/eventratescheme", where=f"name = {_quoted(name)}"
        )
        return any(item.get("name") == name for item in rows)

    def edm_exists(self, name: str) -> bool:
        return self.client.find_exposure(name) is not None

    def rdm_exists(self, name: str) -> bool:
        """An RDM shows as a data-server database named ``<name>`` or ``<name>_<suffix>``."""
        server_id = self.client.find_dataserver_id(self.data_server)
        rows = self.client.search(
            f"/platform/riskdata/v1/dataservers/{server_id}/databases",
            f"databaseName LIKE {_quoted(name + '*')}",
        )
        return any(
            row.get("databaseName") == name or row.get("databaseName", "").startswith(name + "_")
            for row in rows
        )
