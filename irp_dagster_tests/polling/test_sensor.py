"""moodys_job_sensor ticks: bulk polling at scale, one run request per batch, the throttle."""

from __future__ import annotations

import math
import uuid

import dagster as dg
from sqlalchemy import func, select

from irp_dagster.defs.batch_assets import IMPLEMENTED, batch_key, results_key
from irp_dagster.defs.sensors import moodys_job_sensor
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JOB_IN_FLIGHT, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job, JobTrackingLog
from irp_dagster_tests.polling.conftest import CYCLE, add_batch, at_mock, resources_for

EDM = BatchType.EDM_CREATION


def _tick(instance, resources) -> dg.SensorResult:
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        return moodys_job_sensor(context)


def test_a_tick_over_thousands_of_jobs_makes_one_list_call_per_100_and_no_run_per_job(
    sqlite_engine, mock_server
):
    n = 2_500
    ids = at_mock(mock_server, "riskdata", n)
    first_batch, _ = add_batch(sqlite_engine, ids[:1_700], cycle="c1")
    second_batch, _ = add_batch(sqlite_engine, ids[1_700:], cycle="c2")
    resources = resources_for(sqlite_engine.url.render_as_string(False), mock_server)
    list_route = "/platform/riskdata/v1/jobs"

    with dg.instance_for_test() as instance:
        first = _tick(instance, resources)
        assert not first.run_requests  # all still queued at Moody's
        assert len(mock_server.state.journal(list_route, "GET")) == math.ceil(n / 100)
        assert len(mock_server.state.journal(list_route + "/*", "GET")) == 0

        mock_server.state.advance(3600)
        second = _tick(instance, resources)

    assert len(mock_server.state.journal(list_route, "GET")) == 2 * math.ceil(n / 100)
    assert len(mock_server.state.journal(list_route + "/*", "GET")) == 0
    assert sorted(r.tags["irp/batch_id"] for r in second.run_requests) == [
        str(first_batch),
        str(second_batch),
    ]
    assert {r.partition_key for r in second.run_requests} == {"c1", "c2"}
    assert all(r.asset_selection == [results_key(EDM)] for r in second.run_requests)
    with transaction(sqlite_engine) as session:
        statuses = dict(
            session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
        )
        logged = session.scalar(select(func.count()).select_from(JobTrackingLog))
    assert statuses == {JobStatus.FINISHED: n}
    assert logged == 2 * n  # SUBMITTED -> QUEUED, QUEUED -> FINISHED


def _in_flight(env) -> int:
    return sum(1 for j in env.jobs() if j.status in JOB_IN_FLIGHT)


def test_the_throttle_holds_jobs_back_until_slots_free(cycle_env, monkeypatch):
    monkeypatch.setenv("IRP_MAX_IN_FLIGHT_BY_TYPE", '{"edm_creation": 2}')
    env = cycle_env
    env.materialize(dg.AssetKey("configuration"), batch_key(EDM))
    assert [j.status for j in env.jobs()] == [
        JobStatus.SUBMITTED,
        JobStatus.SUBMITTED,
        JobStatus.INITIATED,
    ]

    assert not env.tick().run_requests
    assert env.posts() == 2 and _in_flight(env) == 2  # no free slot: nothing topped up

    env.mock.state.advance(3600)
    assert not env.tick().run_requests  # two finished, the third is now at Moody's
    assert env.posts() == 3 and _in_flight(env) == 1

    env.mock.state.advance(3600)
    (request,) = env.tick().run_requests
    result = env.materialize(*request.asset_selection)
    assert result.success
    (materialization,) = result.asset_materializations_for_node("edm_creation_results")
    metadata = materialization.metadata
    assert metadata["batch_status"].value == "COMPLETED"
    assert metadata["percent_complete"].value == 100.0
    assert metadata["cycle_batches_completed"].value == f"1 / {len(IMPLEMENTED)}"
    for job in env.jobs():
        assert job.moodys_job_id in metadata["moodys_ids"].value


def test_no_top_up_while_a_run_is_submitting_the_batch(cycle_env, monkeypatch):
    monkeypatch.setenv("IRP_MAX_IN_FLIGHT_BY_TYPE", '{"edm_creation": 2}')
    env = cycle_env
    env.materialize(dg.AssetKey("configuration"), batch_key(EDM))
    env.mock.state.advance(3600)
    running = dg.DagsterRun(
        job_name="__ASSET_JOB",
        run_id=str(uuid.uuid4()),
        status=dg.DagsterRunStatus.STARTED,
        asset_selection=frozenset({batch_key(EDM)}),
        tags={"dagster/partition": CYCLE},
    )
    env.instance.add_run(running)

    result = env.tick()
    assert "left to the run submitting it" in result.skip_reason.skip_message
    assert env.posts() == 2 and env.jobs()[-1].status is JobStatus.INITIATED

    env.instance.delete_run(running.run_id)
    env.tick()
    assert env.posts() == 3 and env.jobs()[-1].status is JobStatus.SUBMITTED
