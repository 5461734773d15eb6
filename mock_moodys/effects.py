"""Side effects of FINISHED jobs, so downstream look-ups find what upstream created."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mock_moodys import uploads
from mock_moodys.clock import iso_ms
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
    state.store.add(
        "databases",
        "databaseId",
        {
            "databaseName": exposure["databaseName"],
            "type": "EDM",
            "serverId": exposure["serverId"],
            "_exposureId": exposure_id,
        },
    )
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


@effect("MRI_IMPORT")
def import_mri(state: MockState, job: Job) -> None:
    """Accounts with location counts from the uploaded CSVs; a cedant and LOBs for the EDM."""
    params = job.params
    files = params["files"]
    missing = [name for name, key in files.items() if key not in state.uploads]
    if missing:
        raise JobFailure(f"IMP-0001: file(s) not uploaded: {', '.join(sorted(missing))}")
    try:
        parsed = uploads.parse_mri(
            state.uploads[files["accountsFile"]],
            state.uploads[files["locationsFile"]],
            params.get("delimiter", "COMMA"),
        )
    except (ValueError, KeyError) as error:
        raise JobFailure(f"IMP-0002: import validation failed: {error}") from None
    exposure = state.store.get("exposures", params["exposureId"])
    if exposure is None:
        raise JobFailure(f"Exposure {params['exposureId']} no longer exists")
    portfolio_id = params.get("portfolioId")
    store = state.store
    for account in parsed["accounts"]:
        old = store.find(
            "accounts", _portfolioId=portfolio_id, accountNumber=account["accountNumber"]
        )
        if old is not None:
            store.remove("accounts", old["accountId"])
        store.add(
            "accounts",
            "accountId",
            {
                **account,
                "geocoded": False,
                "_portfolioId": portfolio_id,
                "_exposureId": exposure["exposureId"],
            },
        )
    exposure_id = exposure["exposureId"]
    cedants = parsed["cedants"] or [f"{exposure['exposureName']} Cedant"]
    if not store.rows("cedants", _exposureId=exposure_id):
        for name in cedants[:1]:
            store.add("cedants", "cedantId", {"cedantName": name, "_exposureId": exposure_id})
    for name in parsed["lobs"] or ["Property"]:
        if not store.find("lobs", _exposureId=exposure_id, lobName=name):
            store.add("lobs", "lobId", {"lobName": name, "_exposureId": exposure_id})
    summary = f"Imported {len(parsed['accounts'])} Accounts and {parsed['locations']} Locations"
    job.output["taskLogs"] = {job.tasks[0]: {"importSummary": summary}}
    job.output["jobOutput"] = {"importSummary": summary, "databaseName": exposure["databaseName"]}
    job.output["summary"] = {
        "databaseName": exposure["databaseName"],
        "expirationDate": iso_ms(state.clock.at(state.now() + 30 * 86400)),
        "validationDownloadLink": "",
        "importSummary": summary,
    }


@effect("GEOHAZ")
def geohaz(state: MockState, job: Job) -> None:
    accounts = state.store.rows("accounts", _portfolioId=job.params["portfolioId"])
    if not any(a["locationsCount"] for a in accounts):
        raise JobFailure("GEOHAZ-0001: the portfolio has no locations to geocode")
    for account in accounts:
        account["geocoded"] = True
    located = sum(a["locationsCount"] for a in accounts)
    job.output["taskLogs"] = {name: {"locations": located} for name in job.tasks}


def _analysis(state: MockState, job: Job, record: dict) -> dict:
    analysis = state.store.add("analyses", "analysisId", record)
    analysis["uri"] = f"/platform/riskdata/v1/analyses/{analysis['analysisId']}"
    job.resources = [*job.resources, analysis["uri"]]
    job.output["taskLogs"] = {name: {"analysisId": analysis["analysisId"]} for name in job.tasks}
    return analysis


@effect("DLM", "HD")
def model(state: MockState, job: Job) -> None:
    exposure = state.store.get("exposures", job.params["exposureId"])
    portfolio = state.store.get("portfolios", job.params["portfolioId"])
    if exposure is None or portfolio is None:
        raise JobFailure("MODEL-0001: the portfolio no longer exists")
    settings = job.params["settings"]
    _analysis(
        state,
        job,
        {
            "analysisName": job.name,
            "exposureName": exposure["exposureName"],
            "exposureId": exposure["exposureId"],
            "databaseName": exposure["databaseName"],
            "portfolioId": portfolio["portfolioId"],
            "portfolioName": portfolio["portfolioName"],
            "engineType": job.type,
            "analysisFramework": "PLT" if job.type == "HD" else "ELT",
            "modelProfileId": settings["modelProfileId"],
            "outputProfileId": settings["outputProfileId"],
            "eventRateSchemeId": settings.get("eventRateSchemeId"),
            "treatyIds": list(settings.get("treatyIds") or []),
            "tagIds": list(settings.get("tagIds") or []),
            "createdAt": iso_ms(state.clock.at(state.now())),
        },
    )


@effect("GROUPING")
def grouping(state: MockState, job: Job) -> None:
    members = [state.store.get("analyses", m) for m in job.params["members"]]
    if any(m is None for m in members):
        raise JobFailure("GROUP-0001: a member analysis no longer exists")
    exposures = {m["exposureName"] for m in members}
    settings = job.params["settings"]
    _analysis(
        state,
        job,
        {
            "analysisName": job.name,
            "exposureName": exposures.pop() if len(exposures) == 1 else None,
            "engineType": "Group",
            "analysisFramework": "PLT" if settings.get("simulateToPLT") else "ELT",
            "memberAnalysisIds": job.params["members"],
            "description": settings.get("description", ""),
            "createdAt": iso_ms(state.clock.at(state.now())),
        },
    )


@effect("RDM_DATABRIDGE")
def export_rdm(state: MockState, job: Job) -> None:
    settings = job.params["settings"]
    if settings.get("databaseId"):
        database = state.store.get("databases", settings["databaseId"])
        if database is None:
            raise JobFailure(f"EXPORT-0001: RDM {settings['databaseId']} no longer exists")
    else:
        database = state.store.add(
            "databases",
            "databaseId",
            {
                "databaseName": f"{settings['rdmName']}_{state.random_suffix()}",
                "type": "RDM",
                "serverId": settings["serverId"],
                "analysisIds": [],
            },
        )
    database["analysisIds"] = sorted({*database["analysisIds"], *job.params["members"]})
    job.output["taskLogs"] = {
        job.tasks[0]: {
            "databaseId": database["databaseId"],
            "databaseName": database["databaseName"],
        }
    }


@effect("RESULTS")
def export_results(state: MockState, job: Job) -> None:
    key = f"exports/{job.id}/results.zip"
    state.uploads[f"{uploads.EXPORT_BUCKET}/{key}"] = b"PK\x05\x06" + b"\0" * 18
    url = uploads.s3_url(job.params["baseUrl"], uploads.EXPORT_BUCKET, key)
    job.output["taskLogs"] = {"DOWNLOAD_RESULTS": {"downloadUrl": url}}


@effect("DELETE_EDM")
def delete_edm(state: MockState, job: Job) -> None:
    exposure_id = job.params["exposureId"]
    store = state.store
    for kind in ("portfolios", "accounts", "treaties", "cedants", "lobs", "databases"):
        for row in store.rows(kind, _exposureId=exposure_id):
            store.remove(kind, row[store.id_fields[kind]])
    store.remove("exposures", exposure_id)


@effect("DELETE_RDM")
def delete_rdm(state: MockState, job: Job) -> None:
    state.store.remove("databases", job.params["databaseId"])
