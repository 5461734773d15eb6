"""Analysis: a DLM or HD model job per Analysis Table row, on the portfolio (base, or a
sub-portfolio from portfolio mapping) and with the treaties created in the row's EDM."""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.domain.moodys_payloads import model_job_body
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import (
    BatchContext,
    MoodysJobRef,
    SubmitHandler,
    SubmitOutcome,
    SubmitRejectedError,
    register,
)
from irp_dagster.services.handlers._common import RISKDATA, async_outcome, task_log_value
from irp_dagster.services.handlers._reference import Lookups, model_type, moodys_id

MODEL_JOBS = "/platform/model/v1/jobs"


def portfolio_uri(context: BatchContext, name: str) -> str:
    """A base portfolio's URI, or a sub-portfolio's created by portfolio mapping."""
    base = context.find(BatchType.PORTFOLIO_CREATION, name)
    if base is not None:
        return base["uri"]
    for mapped in context.results.get(BatchType.PORTFOLIO_MAPPING, {}).values():
        if name in mapped.get("sub_portfolios", {}):
            return mapped["sub_portfolios"][name]["uri"]
    return context.result(BatchType.PORTFOLIO_CREATION, name)["uri"]


def analysis_record(row: dict[str, Any], name: str) -> dict[str, Any]:
    analysis_id = str(row["analysisId"])
    return {
        "analysis_id": analysis_id,
        "analysis_name": name,
        "uri": row.get("uri") or f"{RISKDATA}/analyses/{analysis_id}",
        "engine_type": row.get("engineType"),
        "framework": row.get("analysisFramework"),
        "exposure_name": row.get("exposureName"),
    }


def find_analysis(
    client: MoodysClient, name: str, job: MoodysJobRef, exposure_name: str | None = None
) -> dict[str, Any]:
    """The analysis (or group) a finished job created: by the id the job reports, else by name
    (the newest of that name, within the EDM when given)."""
    analysis_id = task_log_value(job.payload(client), "analysisId")
    if analysis_id is not None:
        row = client.request("GET", f"{RISKDATA}/analyses/{analysis_id}").json()
        return analysis_record(row, name)
    query = f'analysisName = "{name}"'
    if exposure_name:
        query += f' AND exposureName = "{exposure_name}"'
    rows = client.search(f"{RISKDATA}/analyses", query)
    if not rows:
        raise LookupError(f"Analysis {name!r} finished but is not listed by Moody's")
    return analysis_record(max(rows, key=lambda r: int(r["analysisId"])), name)


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
        if kind == "DLM" and not event_rate:
            raise SubmitRejectedError(
                f"Analysis {data['Analysis Name']!r}: DLM needs an Event Rate"
            )
        body = model_job_body(
            portfolio_uri=portfolio_uri(context, data["Portfolio"]),
            analysis_name=data["Analysis Name"],
            model_type=kind,
            model_profile_id=profile["id"],
            output_profile_id=lookups.output_profile_id(data["Output Profile"]),
            event_rate_scheme_id=lookups.event_rate_scheme_id(event_rate) if event_rate else None,
            treaty_ids=[
                moodys_id(
                    context.result(BatchType.TREATY_CREATION, f"{t}@{data['Database']}")[
                        "treaty_id"
                    ]
                )
                for t in data.get("treaties", [])
            ],
            tag_ids=[lookups.tag_id(tag, request_id) for tag in data.get("tags", [])],
        )
        job = client.submit(MODEL_JOBS, body, request_id, on_retry=on_retry)
        return async_outcome(JobFamily.PLATFORM, MODEL_JOBS, body, job)

    def collect_result(
        self, client: MoodysClient, data: dict[str, Any], job: MoodysJobRef
    ) -> dict[str, Any]:
        return find_analysis(client, data["Analysis Name"], job, data["Database"])
