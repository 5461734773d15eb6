"""Side effects of FINISHED jobs, so downstream look-ups find what upstream created."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mock_moodys.jobs import Job

if TYPE_CHECKING:
    from mock_moodys.state import MockState

Effect = Callable[["MockState", Job], None]
EFFECTS: dict[str, Effect] = {}


class JobFailure(Exception):
    """Raised by an effect when the job cannot succeed; the job ends FAILED with the message."""


def effect(*job_types: str) -> Callable[[Effect], Effect]:
    def register(func: Effect) -> Effect:
        for job_type in job_types:
            EFFECTS[job_type] = func
        return func

    return register


def on_finished(state: MockState, job: Job) -> None:
    handler = EFFECTS.get(job.type)
    if handler is not None:
        handler(state, job)


@effect("CREATE_EDM")
def create_edm(state: MockState, job: Job) -> None:
    name = job.params["exposureName"]
    if state.store.find("exposures", exposureName=name):
        raise JobFailure(f"An exposure named {name!r} already exists")
    exposure = state.store.add(
        "exposures",
        "exposureId",
        {
            "exposureName": name,
            "databaseName": f"{name}_{state.random_suffix()}",
            "serverId": job.params.get("serverId"),
            "exposureSetId": job.params.get("exposureSetId"),
            "edmDataVersion": "21",
            "status": "ACTIVE",
        },
    )
    exposure_id = exposure["exposureId"]
    exposure["uri"] = f"/platform/riskdata/v1/exposures/{exposure_id}"
    job.resources = [exposure["uri"]]
    job.output["jobOutput"] = {"databaseName": exposure["databaseName"]}
    job.output["summary"] = {"databaseName": exposure["databaseName"]}


def _data_version(version: str) -> str:
    parts = str(version).split(".")
    return ".".join((parts + ["0", "0"])[:3])


@effect("EDM_DATA_UPGRADE")
def upgrade_edm(state: MockState, job: Job) -> None:
    exposure = state.store.get("exposures", job.params["exposureId"])
    if exposure is None:
        raise JobFailure(f"Exposure {job.params['exposureId']} no longer exists")
    version = _data_version(job.params["edmDataVersion"])
    exposure["edmDataVersion"] = version.split(".")[0]
    job.output["jobOutput"] = {"databaseName": exposure["databaseName"], "dataVersion": version}
    job.output["summary"] = {"databaseName": exposure["databaseName"], "dataVersion": version}
