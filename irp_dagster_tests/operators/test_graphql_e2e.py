"""End to end: a real ``dagster-webserver`` serving ``irp_dagster.definitions``; an operator
action launched through its GraphQL API (``launchPipelineExecution``) runs to SUCCESS and
writes its audit row, with the actor taken from the run's ``dagster/user`` tag."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import make_engine, upgrade
from irp_dagster_tests.operators._support import CYCLE, audit_rows, batch, build_batch

pytestmark = pytest.mark.slow

DAGSTER_YAML = """\
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""
LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PipelineNotFoundError { message }
  }
}
"""
LOCATIONS = (
    "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"  # noqa: E501
)
RUN_STATUS = "query Run($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
ARGS = "-h 127.0.0.1 -p {port} -m irp_dagster.definitions"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(client: httpx.Client, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def webserver(tmp_path: Path):
    """The webserver on a free port, a temporary DAGSTER_HOME and a SQLite domain database."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    url = f"sqlite:///{tmp_path / 'irp.sqlite'}"
    upgrade(url)
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "IRP_DATABASE_URL": url,
        "IRP_HOME": str(tmp_path / "irp_home"),
    }
    env.pop("IRP_NOTIFY_WEBHOOK_URL", None)  # notifications stay off
    process = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", *ARGS.format(port=port).split()],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "web.log").open("w"),
        start_new_session=True,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        deadline = time.monotonic() + 40
        while True:
            assert process.poll() is None, (tmp_path / "web.log").read_text()[-3000:]
            try:
                if client.get("/server_info").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "webserver did not start"
            time.sleep(0.25)
        yield client, make_engine(url), tmp_path
    finally:
        client.close()
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_operator_action_launched_through_graphql(webserver):
    client, engine, tmp_path = webserver
    built = build_batch(engine, [JobStatus.INITIATED, JobStatus.RUNNING])
    (repository,) = _graphql(client, LOCATIONS)["repositoriesOrError"]["nodes"]

    launched = _graphql(
        client,
        LAUNCH,
        params={
            "selector": {
                "repositoryLocationName": repository["location"]["name"],
                "repositoryName": repository["name"],
                "pipelineName": "operator_pause_batch",
            },
            "runConfigData": {
                "ops": {
                    "operator_pause_batch_op": {
                        "config": {"cycle": CYCLE, "batch_type": "edm_creation", "reason": "gql"}
                    }
                }
            },
            "executionMetadata": {"tags": [{"key": "dagster/user", "value": "gql-user"}]},
        },
    )["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    deadline = time.monotonic() + 45
    status = None
    while status not in TERMINAL:
        assert time.monotonic() < deadline, f"run {run_id} still {status}"
        time.sleep(0.5)
        status = _graphql(client, RUN_STATUS, id=run_id)["runOrError"].get("status")
    assert status == "SUCCESS", (tmp_path / "web.log").read_text()[-3000:]

    assert batch(engine, built.batch_id).status is BatchStatus.PAUSED
    (row,) = audit_rows(engine)
    assert (row.action, row.actor, row.reason) == ("pause_batch", "gql-user", "gql")
