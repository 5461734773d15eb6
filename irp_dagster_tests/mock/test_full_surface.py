"""The whole §3 chain on the mock over HTTP, each downstream step finding what upstream made:
EDM -> portfolio -> folder + upload + MRI import -> treaty + LOB -> GeoHaz -> DLM/HD ->
grouping -> RDM export (new, then into the same database) -> Data Bridge delete."""

from __future__ import annotations

import base64
from datetime import datetime

import httpx

from irp_dagster.domain.moodys_payloads import (
    geohaz_body,
    grouping_body,
    model_job_body,
    rdm_export_body,
    treaty_body,
)
from irp_dagster_tests.mock.contract import assert_schema
from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, finish, job_id

ACCOUNTS = "ACCNTNUM,ACCNTNAME\nA1,One\nA2,Two\nA3,Three\n"
LOCATIONS = "ACCNTNUM,LOCNUM\nA1,L1\nA1,L2\nA2,L3\n"
TREATY_ROW = {
    "Treaty Name": "XPR_1_95",
    "Treaty Number": "XPR_1_95",
    "Type": "Working Excess",
    "Per-Risk Limit": 3_000_000,
    "Occurrence Limit": 9_000_000,
    "Attachment Point": 2_000_000,
    "Inception Date": "2000-01-01",
    "Expiration Date": "2030-12-31",
    "Attachment Basis": "Losses Occurring",
    "Exposure Level": "Location",
    "% Covered": 100,
    "% Place": 95,
    "% Share": 100,
    "% Retention": 100,
    "Reinstatements": 99,
    "Inuring Priority": 1,
}


def mri_import(http, portfolio, upload=True) -> httpx.Response:
    folder = http.post(
        "/platform/import/v1/folders",
        json={
            "folderType": "MRI",
            "properties": {"fileExtension": "csv", "fileTypes": ["accountsFile", "locationsFile"]},
        },
    )
    assert folder.status_code == 201
    assert_schema(folder.json(), "folder")
    details = folder.json()["uploadDetails"]
    presign = details["accountsFile"]["presignParams"]
    assert base64.b64decode(presign["region"]).decode() == "eu-west-1"
    assert set(presign) >= {"accessKeyId", "secretAccessKey", "sessionToken", "path", "region"}
    if upload:
        for file_type, text in (("accountsFile", ACCOUNTS), ("locationsFile", LOCATIONS)):
            put = httpx.put(details[file_type]["uploadUrl"], content=text.encode())
            assert put.status_code == 200
    body = {
        "importType": "MRI",
        "resourceUri": portfolio["uri"],
        "settings": {"folderId": int(folder.json()["folderId"]), "delimiter": "COMMA"},
    }
    return http.post("/platform/import/v1/jobs", json=body)


def test_import_without_upload_fails(http, mock_server, portfolio):
    response = mri_import(http, portfolio, upload=False)
    assert response.status_code == 201
    mock_server.state.advance(2000)
    job = http.get(response.headers["location"]).json()
    assert job["status"] == "FAILED"
    assert "not uploaded" in job["tasks"][0]["output"]["errors"][0]["message"]
    assert http.get(f"{portfolio['uri']}/accounts").json() == []


def test_the_whole_chain(http, mock_server, portfolio):
    exposure = f"{RISKDATA}/exposures/{portfolio['exposure_id']}"
    imported = mri_import(http, portfolio)
    assert imported.headers["location"].endswith(f"/platform/import/v1/jobs/{job_id(imported)}")
    job = finish(http, mock_server, imported.headers["location"])
    assert_schema(job, "platform_job")
    assert job["type"] == "MRI_IMPORT" and job["name"] == "PORTFOLIO: USFL"
    log = job["tasks"][0]["output"]["log"]
    assert log["importSummary"] == "Imported 3 Accounts and 3 Locations"
    accounts = http.get(f"{portfolio['uri']}/accounts").json()
    for account in accounts:
        assert_schema(account, "account")
    assert_schema(portfolio, "portfolio")
    assert {a["accountNumber"]: a["locationsCount"] for a in accounts} == {
        "A1": 2,
        "A2": 1,
        "A3": 0,
    }

    cedants = http.get(f"{exposure}/cedants").json()
    assert len(cedants) == 1
    currency = next(
        c for c in http.get("/platform/referencedata/v1/currencies").json() if c["code"] == "USD"
    )
    cedant = {"cedantId": cedants[0]["cedantId"], "cedantName": cedants[0]["cedantName"]}
    body = treaty_body(TREATY_ROW, currency, cedant)
    treaty = http.post(f"{exposure}/treaties", json=body)
    assert treaty.status_code == 201
    assert_envelope(http.post(f"{exposure}/treaties", json=body), 409)
    bad = {**body, "treatyName": "other", "treatyType": "NOPE"}
    assert_envelope(http.post(f"{exposure}/treaties", json=bad), 400)
    lobs = http.get(f"{exposure}/lobs").json()
    lob_path = f"{exposure}/treaties/{job_id(treaty)}/lob"
    lob_body = {"lobId": lobs[0]["lobId"], "lobName": lobs[0]["lobName"]}
    assert http.post(lob_path, json=lob_body).status_code == 201
    assert_envelope(http.post(lob_path, json=lob_body), 409)
    assert [r["lobId"] for r in http.get(lob_path).json()] == [lobs[0]["lobId"]]

    geohaz = http.post("/platform/geohaz/v1/jobs", json=geohaz_body(portfolio["uri"], "23", "23"))
    assert geohaz.status_code == 201
    geo = finish(http, mock_server, geohaz.headers["location"])
    assert_schema(geo, "platform_job")
    assert [t["name"] for t in geo["tasks"]] == ["GEOCODING", "HAZARD"]
    assert geo["name"] == "EDM_FULL: PORTFOLIO: USFL"

    profiles = http.get("/analysis-settings/modelprofiles", params={"name": "DLM CBHU v23"})
    assert_schema(profiles.json(), "model_profiles")
    profile = profiles.json()["items"][0]
    assert profiles.json()["count"] == 1 and profile["softwareVersionCode"] == "DLM"
    hd_profile = http.get("/analysis-settings/modelprofiles", params={"name": "HD USWF v2"}).json()
    output = http.get(
        "/analysis-settings/outputprofiles", params={"name": "Modeling_Output_Profile"}
    ).json()[0]
    rates = http.get(
        "/data-store/referencetables/eventratescheme",
        params={"where": 'name="RMS 2023 Stochastic Event Rates"'},
    ).json()
    tag = http.post("/platform/referencedata/v1/tags", json={"tagName": "cycle"})
    assert tag.status_code == 201
    found_tag = http.get("/platform/referencedata/v1/tags", params={"filter": "TAGNAME = 'cycle'"})
    assert str(found_tag.json()[0]["tagId"]) == job_id(tag)

    def model(name, kind, profile_id, rate_id):
        body = model_job_body(
            portfolio_uri=portfolio["uri"],
            analysis_name=name,
            model_type=kind,
            model_profile_id=profile_id,
            output_profile_id=output["id"],
            event_rate_scheme_id=rate_id,
            treaty_ids=[int(job_id(treaty))],
            tag_ids=[int(job_id(tag))],
        )
        return http.post("/platform/model/v1/jobs", json=body)

    dlm = model("USFL_DLM", "DLM", profile["id"], rates["items"][0]["id"])
    hd = model("USFL_HD", "HD", hd_profile["items"][0]["id"], None)
    assert_envelope(model("X", "DLM", profile["id"], None), 400)  # DLM needs an event rate
    assert_envelope(model("X", "HD", profile["id"], None), 400)  # a DLM profile
    for response in (dlm, hd):
        assert response.status_code == 201
        assert_schema(finish(http, mock_server, response.headers["location"]), "platform_job")
    analyses = http.get(
        f"{RISKDATA}/analyses",
        params={"filter": 'analysisName = "USFL_HD" AND exposureName = "EDM_FULL"'},
    ).json()
    assert [(a["engineType"], a["analysisFramework"]) for a in analyses] == [("HD", "PLT")]
    for row in http.get(f"{RISKDATA}/analyses").json():
        assert_schema(row, "analysis")
    uris = [
        http.get(f"{RISKDATA}/analyses", params={"filter": f'analysisName = "{n}"'}).json()[0][
            "uri"
        ]
        for n in ("USFL_DLM", "USFL_HD")
    ]

    group = http.post("/platform/grouping/v1/jobs", json=grouping_body("USFL_GROUP", uris))
    assert group.status_code == 201
    finish(http, mock_server, group.headers["location"])
    group_row = http.get(f"{RISKDATA}/analyses", params={"filter": 'engineType = "Group"'}).json()
    assert [g["analysisName"] for g in group_row] == ["USFL_GROUP"]
    bad_group = grouping_body("G2", ["/platform/riskdata/v1/analyses/999999"])
    assert_envelope(http.post("/platform/grouping/v1/jobs", json=bad_group), 400)

    server_id = http.get(f"{RISKDATA}/dataservers").json()[0]["serverId"]
    export = rdm_export_body(uris, server_id, rdm_name="RM_RDM_USFL", database_id=None)
    exported = http.post("/platform/export/v1/jobs", json=export)
    assert exported.status_code == 201
    assert_schema(finish(http, mock_server, exported.headers["location"]), "platform_job")
    databases = http.get(
        f"{RISKDATA}/dataservers/{server_id}/databases",
        params={"filter": 'databaseName LIKE "RM_RDM_USFL*"'},
    ).json()
    assert len(databases) == 1 and databases[0]["type"] == "RDM"
    for row in http.get(f"{RISKDATA}/dataservers/{server_id}/databases").json():
        assert_schema(row, "database")
    for row in http.get("/platform/referencedata/v1/currencies").json():
        assert_schema(row, "currency")
    for row in http.get(f"{RISKDATA}/exposures").json():
        assert_schema(row, "exposure")
    assert_schema(http.get(f"{RISKDATA}/dataservers").json()[0], "dataserver")
    into = rdm_export_body(
        [group_row[0]["uri"]], server_id, rdm_name=None, database_id=databases[0]["databaseId"]
    )
    finish(http, mock_server, http.post("/platform/export/v1/jobs", json=into).headers["location"])

    deleted = http.delete(
        f"/databridge/v1/sql-instances/db1/databases/{databases[0]['databaseName']}"
    )
    assert deleted.status_code == 202
    bridge_id = deleted.json()["jobId"]
    assert http.get(f"/databridge/v1/jobs/{bridge_id}").json() == "Enqueued"
    mock_server.state.advance(100)
    assert http.get(f"/databridge/v1/Jobs/{bridge_id}").json() == "Succeeded"
    assert (
        http.get(
            f"{RISKDATA}/dataservers/{server_id}/databases", params={"filter": 'type = "RDM"'}
        ).json()
        == []
    )
    assert_envelope(http.get("/databridge/v1/jobs/1"), 410)


def test_results_export_has_a_download_url(http, mock_server, portfolio):
    response = mri_import(http, portfolio)
    finish(http, mock_server, response.headers["location"])
    profile = http.get("/analysis-settings/modelprofiles", params={"name": "HD USWF v2"}).json()
    output = http.get("/analysis-settings/outputprofiles").json()[0]
    body = model_job_body(
        portfolio_uri=portfolio["uri"],
        analysis_name="HD1",
        model_type="HD",
        model_profile_id=profile["items"][0]["id"],
        output_profile_id=output["id"],
        event_rate_scheme_id=None,
        treaty_ids=[],
        tag_ids=[],
    )
    finish(http, mock_server, http.post("/platform/model/v1/jobs", json=body).headers["location"])
    uri = http.get(f"{RISKDATA}/analyses").json()[0]["uri"]
    export = {"exportType": "RESULTS", "resourceType": "analyses", "resourceUris": [uri]}
    job = finish(
        http, mock_server, http.post("/platform/export/v1/jobs", json=export).headers["location"]
    )
    task = next(t for t in job["tasks"] if t["name"] == "DOWNLOAD_RESULTS")
    download = httpx.get(task["output"]["log"]["downloadUrl"])
    assert download.status_code == 200 and download.content.startswith(b"PK")


def test_delete_edm_removes_it(http, mock_server, portfolio):
    exposure = f"{RISKDATA}/exposures/{portfolio['exposure_id']}"
    response = http.delete(exposure)
    assert response.status_code == 202
    job = finish(http, mock_server, response.headers["location"])
    assert job["type"] == "DELETE_EDM"
    assert_envelope(http.get(exposure), 404)
    assert http.get(f"{RISKDATA}/exposures").json() == []


def test_submissions_need_the_resource_group_and_valid_fields(http, portfolio):
    no_group = {"x-rms-resource-group-id": ""}
    body = geohaz_body(portfolio["uri"], "23", "23")
    assert_envelope(http.post("/platform/geohaz/v1/jobs", json=body, headers=no_group), 400)
    for path, bad in (
        ("/platform/geohaz/v1/jobs", {**body, "resourceUri": "/nope"}),
        ("/platform/geohaz/v1/jobs", {**body, "settings": {"layers": []}}),
        ("/platform/model/v1/jobs", {"resourceUri": portfolio["uri"]}),
        ("/platform/grouping/v1/jobs", {"resourceType": "analyses", "resourceUris": []}),
        ("/platform/export/v1/jobs", {"exportType": "CSV"}),
        ("/platform/import/v1/jobs", {"importType": "MRI"}),
        ("/platform/import/v1/folders", {"folderType": "ZIP"}),
        (f"{RISKDATA}/exposuresets", {}),
    ):
        assert_envelope(http.post(path, json=bad), 400)


def test_timestamps_move_with_the_mock_clock(http, mock_server, portfolio):
    response = mri_import(http, portfolio)
    job = finish(http, mock_server, response.headers["location"], seconds=100_000)
    submitted = datetime.fromisoformat(job["submittedAt"].replace("Z", "+00:00"))
    ended = datetime.fromisoformat(job["endedAt"].replace("Z", "+00:00"))
    assert 200 < (ended - submitted).total_seconds() < 400  # MRI ~17 s queue + ~260 s run
