"""State survives a restart when ``state_file`` is set (SQLite)."""

from __future__ import annotations

import sqlite3

import httpx

from irp_dagster_tests.mock.helpers import RISKDATA, create_edm, job_id
from mock_moodys.config import MockConfig
from mock_moodys.server import MockServer

HEADERS = {"Authorization": "k", "x-rms-resource-group-id": "rg"}


def test_restart_keeps_jobs_resources_uploads_and_idempotency(tmp_path):
    config = MockConfig(manual_clock=True, state_file=str(tmp_path / "mock.sqlite"))
    with (
        MockServer(config) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS) as http,
    ):
        server_id = http.get(f"{RISKDATA}/dataservers").json()[0]["serverId"]
        set_id = job_id(http.post(f"{RISKDATA}/exposuresets", json={"exposureSetName": "S"}))
        done = create_edm(http, set_id, server_id, "EDM_KEEP", request_id="keep-1")
        server.state.advance(200)
        running = create_edm(http, set_id, server_id, "EDM_LATER")
        server.state.advance(50)
        assert httpx.put(f"{server.base_url}/_s3/b/k.csv", content=b"data").is_success
        before = http.get(running.headers["location"]).json()
        exposure = http.get(f"{RISKDATA}/exposures").json()
        rows = sqlite3.connect(config.state_file).execute("SELECT count(*) FROM mock_uploads")
        assert rows.fetchone()[0] == 1

    with (
        MockServer(config) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS) as http,
    ):
        assert http.get(f"{RISKDATA}/exposures").json() == exposure
        after = http.get(f"{RISKDATA}/jobs/{job_id(running)}").json()
        assert (after["status"], after["progress"]) == (before["status"], before["progress"])
        server.state.advance(500)
        assert http.get(f"{RISKDATA}/jobs/{job_id(running)}").json()["status"] == "FINISHED"
        names = {e["exposureName"] for e in http.get(f"{RISKDATA}/exposures").json()}
        assert names == {"EDM_KEEP", "EDM_LATER"}
        replay = create_edm(http, set_id, server_id, "EDM_KEEP", request_id="keep-1")
        assert replay.status_code == 202 and job_id(replay) == job_id(done)
        fresh = create_edm(http, set_id, server_id, "EDM_NEW")
        assert int(job_id(fresh)) == int(job_id(running)) + 1
        assert httpx.get(f"{server.base_url}/_s3/b/k.csv").content == b"data"
        suffixes = {e["databaseName"][-4:] for e in http.get(f"{RISKDATA}/exposures").json()}
        assert len(suffixes) == 2
