"""Reference-data look-ups for model jobs: profiles, event rate schemes and tags, each distinct
name fetched once per batch submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import SubmitRejectedError
from irp_dagster.services.handlers._common import derived_key

TAGS = "/platform/referencedata/v1/tags"


def moodys_id(value: Any) -> Any:
    """Numeric ids as integers (Moody's ids are int64), anything else unchanged."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _named(rows: list[dict], name: str, what: str) -> dict:
    for row in rows:
        if row.get("name") == name:
            return row
    raise SubmitRejectedError(f"{what} {name!r} does not exist at Moody's")


class Lookups:
    def __init__(self, client: MoodysClient) -> None:
        self.client = client
        self.cache: dict[tuple[str, str], Any] = {}

    def _once(self, kind: str, name: str, fetch: Callable[[str], Any]) -> Any:
        if (kind, name) not in self.cache:
            self.cache[(kind, name)] = fetch(name)
        return self.cache[(kind, name)]

    def _get(self, path: str, **params: Any) -> Any:
        return self.client.request("GET", path, params=params).json()

    def model_profile(self, name: str) -> dict:
        def fetch(n: str) -> dict:
            body = self._get("/analysis-settings/modelprofiles", name=n)
            return _named(body.get("items", []), n, "Model profile")

        return self._once("model", name, fetch)

    def output_profile_id(self, name: str) -> Any:
        def fetch(n: str) -> Any:
            rows = self._get("/analysis-settings/outputprofiles", name=n)
            return _named(rows, n, "Output profile")["id"]

        return self._once("output", name, fetch)

    def event_rate_scheme_id(self, name: str) -> Any:
        def fetch(n: str) -> Any:
            quoted = n.replace('"', '""')
            body = self._get(
                "/data-store/referencetables/eventratescheme", where=f'name="{quoted}"'
            )
            return _named(body.get("items", []), n, "Event rate scheme")["id"]

        return self._once("event_rate", name, fetch)

    def tag_id(self, name: str, request_id: str) -> Any:
        """The tag's id, creating the tag once if the tenant does not have it yet."""

        def fetch(n: str) -> Any:
            quoted = n.replace("'", "''")
            rows = self.client.search(TAGS, f"TAGNAME = '{quoted}'")
            if rows:
                return rows[0]["tagId"]
            return moodys_id(
                self.client.submit(TAGS, {"tagName": n}, derived_key(request_id, n)).job_id
            )

        return self._once("tag", name, fetch)


def model_type(profile: dict) -> str:
    """DLM vs HD, from the model profile's software version code."""
    code = str(profile.get("softwareVersionCode") or profile.get("modelType") or "")
    return "HD" if "HD" in code.upper() else "DLM"
