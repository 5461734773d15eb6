"""Analysis-stage handlers: DLM/HD model jobs, groupings, rollups and the RDM export.

Inputs come from upstream outcomes (portfolio URIs, treaty ids, analysis and group URIs);
reference data (profiles, event rate schemes, tags) is looked up once per distinct name per
batch. Grouping and export skip items that do not exist and skip the job (with the reason)
when none does, as the prior system did.
"""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import grouping_body, model_job_body, rdm_export_body
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import BatchContext, SubmitHandler, SubmitOutcome, register
from irp_dagster.services.handlers.edm_creation import DATA_SERVER, derived_key

GROUP_TYPES = (BatchType.GROUPING, BatchType.GROUPING_ROLLUP)


class Lookups:
    """Reference-data look-ups, each distinct name fetched once per batch."""

    def __init__(self, client: MoodysClient) -> None:
        self.client = client
        self.cache: dict[tuple[str, str], Any] = {}

    def _once(self, kind: str, name: str, fetch) -> Any:
        if (kind, name) not in self.cache:
            self.cache[(kind, name)] = fetch(name)
        return self.cache[(kind, name)]

    def model_profile(self, name: str) -> dict:
        def fetch(n: str) -> dict:
            body = self.client.request(
                "GET", "/analysis-settings/modelprofiles", params={"name": n}
            ).json()
            items = [i for i in body.get("items", []) if i.get("name") == n]
            if not items:
                raise LookupError(f"Model profile {n!r} does not exist at Moody's")
            return items[0]

        return self._once("model", name, fetch)

    def output_profile_id(self, name: str) -> Any:
        def fetch(n: str) -> Any:
            rows = self.client.request(
                "GET", "/analysis-settings/outputprofiles", params={"name": n}
            ).json()
            rows = [r for r in rows if r.get("name") == n]
            if not rows:
                raise LookupError(f"Output profile {n!r} does not exist at Moody's")
            return rows[0]["id"]

        return self._once("output", name, fetch)

    def event_rate_scheme_id(self, name: str) -> Any:
        def fetch(n: str) -> Any:
            body = self.client.request(
                "GET",
                "/data-store/referencetables/eventratescheme",
                params={"where": f'name="{n}"'},
            ).json()
            items = [i for i in body.get("items", []) if i.get("name") == n]
            if not items:
                raise LookupError(f"Event rate scheme {n!r} does not exist at Moody's")
            return items[0]["id"]

        return self._once("event_rate", name, fetch)

    def tag_id(self, name: str, request_id: str) -> Any:
        def fetch(n: str) -> Any:
            path = "/platform/referencedata/v1/tags"
            rows = self.client.search(path, f"TAGNAME = '{n}'")
            if rows:
                return rows[0]["tagId"]
            return self.client.submit(path, {"tagName": n}, derived_key(request_id, n)).job_id

        return self._once("tag", name, fetch)


def model_type(profile: dict) -> str:
    """DLM vs HD, inferred from the model profile's software version code."""
    code = str(profile.get("softwareVersionCode") or profile.get("modelType") or "")
    return "HD" if "HD" in code.upper() else "DLM"


def portfolio_uri(context: BatchContext, name: str) -> str:
    """A base portfolio's URI, or a sub-portfolio's created by portfolio mapping."""
    base = context.find(BatchType.PORTFOLIO_CREATION, name)
    if base is not None:
        return base["uri"]
    for mapped in context.results.get(BatchType.PORTFOLIO_MAPPING, {}).values():
        if name in mapped.get("sub_portfolios", {}):
            return mapped["sub_portfolios"][name]["uri"]
    return context.result(BatchType.PORTFOLIO_CREATION, name)["uri"]


def analysis_uri(context: BatchContext, name: str) -> str | None:
    for batch_type in (BatchType.ANALYSIS, *GROUP_TYPES):
        found = context.find(batch_type, name)
        if found is not None:
            return found["uri"]
    return None


def _async(path: str, body: dict, job) -> SubmitOutcome:
    return SubmitOutcome(
        family=JobFamily.PLATFORM,
        moodys_job_id=job.job_id,
        moodys_url=job.location,
        request={"path": path, "body": body},
        response={"status_code": job.status_code, "location": job.location},
    )


def _skipped(request: dict, reason: str) -> SubmitOutcome:
    return SubmitOutcome(JobFamily.PLATFORM, None, None, request, skip_reason=reason)


def find_analysis(client: MoodysClient, name: str, exposure_name: str | None = None) -> dict:
    query = f'analysisName = "{name}"'
    if exposure_name:
        query += f' AND exposureName = "{exposure_name}"'
    rows = client.search("/platform/riskdata/v1/analyses", query)
    if not rows:
        raise LookupError(f"Analysis {name!r} finished but is not listed by Moody's")
    row = rows[0]
    return {
        "analysis_id": str(row["analysisId"]),
        "analysis_name": name,
        "uri": row.get("uri") or f"/platform/riskdata/v1/analyses/{row['analysisId']}",
        "engine_type": row.get("engineType"),
    }


@register(BatchType.ANALYSIS)
class AnalysisHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context, "lookups": Lookups(client)}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        lookups: Lookups = prepared["lookups"]
        profile = lookups.model_profile(data["Analysis Profile"])
        kind = model_type(profile)
        event_rate = data.get("Event Rate")
        body = model_job_body(
            portfolio_uri=portfolio_uri(context, data["Portfolio"]),
            analysis_name=data["Analysis Name"],
            model_type=kind,
            model_profile_id=profile["id"],
            output_profile_id=lookups.output_profile_id(data["Output Profile"]),
            event_rate_scheme_id=lookups.event_rate_scheme_id(event_rate) if event_rate else None,
            treaty_ids=[
                context.result(BatchType.TREATY_CREATION, f"{t}@{data['Database']}")["treaty_id"]
                for t in data.get("treaties", [])
            ],
            tag_ids=[lookups.tag_id(tag, request_id) for tag in data.get("tags", [])],
        )
        if kind == "DLM" and not event_rate:
            raise LookupError(f"Analysis {data['Analysis Name']!r}: DLM needs an Event Rate")
        job = client.submit("/platform/model/v1/jobs", body, request_id, on_retry=on_retry)
        return _async("/platform/model/v1/jobs", body, job)

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        return find_analysis(client, data["Analysis Name"])


class _GroupHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        uris = {item: analysis_uri(context, item) for item in data["items"]}
        present = [uri for uri in uris.values() if uri]
        missing = sorted(item for item, uri in uris.items() if not uri)
        request = {"group": data["Group_Name"], "missing_items": missing}
        if not present:
            return _skipped(request, f"none of the items of {data['Group_Name']} exist: {missing}")
        body = grouping_body(data["Group_Name"], present)
        job = client.submit("/platform/grouping/v1/jobs", body, request_id, on_retry=on_retry)
        outcome = _async("/platform/grouping/v1/jobs", body, job)
        outcome.request["missing_items"] = missing
        return outcome

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        return find_analysis(client, data["Group_Name"])


@register(BatchType.GROUPING)
class GroupingHandler(_GroupHandler):
    pass


@register(BatchType.GROUPING_ROLLUP)
class GroupingRollupHandler(_GroupHandler):
    pass


@register(BatchType.RDM_EXPORT)
class RdmExportHandler(SubmitHandler):
    """The seed job creates the RDM; the others wait (INITIATED, no run blocked) until the
    seed's outcome names the RDM's database id, then export into it."""

    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        seeds = [
            r
            for r in context.results.get(BatchType.RDM_EXPORT, {}).values()
            if r.get("database_id")
        ]
        return {
            "context": context,
            "server_id": client.find_dataserver_id(DATA_SERVER),
            "database_id": seeds[0]["database_id"] if seeds else None,
        }

    def ready(self, data: dict[str, Any], prepared: dict[str, Any]) -> bool:
        return data.get("is_seed_job") or prepared["database_id"] is not None

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        uris = [analysis_uri(context, name) for name in data["analysis_names"]]
        request = {"items": data["analysis_names"]}
        if not any(uris):
            return _skipped(request, f"{data['analysis_names']} do not exist; nothing to export")
        body = rdm_export_body(
            [u for u in uris if u],
            prepared["server_id"],
            rdm_name=data["rdm_name"],
            database_id=None if data.get("is_seed_job") else prepared["database_id"],
        )
        job = client.submit("/platform/export/v1/jobs", body, request_id, on_retry=on_retry)
        return _async("/platform/export/v1/jobs", body, job)

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("is_seed_job"):
            return {"exported": data["analysis_names"]}
        server_id = client.find_dataserver_id(DATA_SERVER)
        rows = client.search(
            f"/platform/riskdata/v1/dataservers/{server_id}/databases",
            f'databaseName LIKE "{data["rdm_name"]}*"',
        )
        if not rows:
            raise LookupError(f"RDM {data['rdm_name']!r} was exported but is not listed")
        return {
            "database_id": str(rows[0]["databaseId"]),
            "database_name": rows[0]["databaseName"],
            "exported": data["analysis_names"],
        }
