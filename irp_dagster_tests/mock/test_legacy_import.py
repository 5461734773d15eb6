"""Legacy MRI import (storage, path, mapping, imports) against the trimmed OpenAPI."""

from __future__ import annotations

import base64

import httpx

from irp_dagster_tests.mock.contract import assert_legacy_contract, assert_schema
from irp_dagster_tests.mock.helpers import RISKDATA, assert_envelope, create_edm, job_id

V1 = "/riskmodeler/v1"


def test_legacy_mri_import_runs_as_a_v1_workflow(http, mock_server, edm_setup):
    server_id, set_id = edm_setup
    create_edm(http, set_id, server_id, "EDM_LEGACY")
    mock_server.state.advance(200)
    exposure = http.get(f"{RISKDATA}/exposures").json()[0]
    portfolio = http.post(
        f"{RISKDATA}/exposures/{exposure['exposureId']}/portfolios",
        json={"portfolioName": "P1", "portfolioNumber": "P1"},
    )

    bucket = http.post(f"{V1}/storage")
    assert_legacy_contract(bucket)
    bucket_id = job_id(bucket)
    file_ids = {}
    for file_type, text in (("account", "ACCNTNUM\nA1\nA2\n"), ("location", "ACCNTNUM\nA1\n")):
        response = http.post(
            f"{V1}/storage/{bucket_id}/path",
            json={"fileName": f"{file_type}.csv", "fileType": file_type, "fileSize": 1},
        )
        assert_legacy_contract(response)
        file_ids[file_type] = int(job_id(response))
        s3_path = base64.b64decode(response.json()["s3Path"]).decode()
        key = f"{s3_path}/{file_ids[file_type]}-{file_type}.csv"
        assert httpx.put(f"{mock_server.base_url}/_s3/{key}", content=text.encode()).is_success
    mapping = http.post(
        f"{V1}/imports/createmapping/{bucket_id}",
        json={"mapFileName": "m", "accountItems": [], "locationItems": []},
    )
    assert_legacy_contract(mapping)
    body = {
        "bucketId": int(bucket_id),
        "dataSourceName": "EDM_LEGACY",
        "delimiter": "COMMA",
        "importType": "MRI",
        "accountsFileId": file_ids["account"],
        "locationsFileId": file_ids["location"],
        "mappingFileId": mapping.json(),
        "portfolioId": int(job_id(portfolio)),
    }
    imported = http.post(f"{V1}/imports", json=body)
    assert_legacy_contract(imported)
    assert imported.status_code == 202
    mock_server.state.advance(1000)
    workflow = http.get(imported.headers["location"])
    assert_legacy_contract(workflow)
    assert_schema(workflow.json(), "workflow")
    assert workflow.json()["type"] == "MRI_IMPORT" and workflow.json()["name"] == "PORTFOLIO: P1"
    assert workflow.json()["summary"]["importSummary"] == "Imported 2 Accounts and 1 Locations"
    accounts = http.get(f"{portfolio.headers['location']}/accounts").json()
    assert sorted(a["accountNumber"] for a in accounts) == ["A1", "A2"]

    unknown = http.post(f"{V1}/imports", json={**body, "dataSourceName": "NOPE"})
    assert_legacy_contract(unknown)
    assert_envelope(unknown, 400)
    missing = http.post(f"{V1}/storage/{bucket_id}/path", json={"fileName": "x"})
    assert_legacy_contract(missing, check_request=False)
    assert_envelope(missing, 400)
