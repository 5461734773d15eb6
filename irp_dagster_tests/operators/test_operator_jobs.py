"""Each operator action as a Dagster job (in-process runs on a real instance), on SQLite and
PostgreSQL: its effect and audit row, the results partition it re-materializes, and refusals
that fail the run and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import pytest

from irp_dagster.defs import operator_jobs as oj
from irp_dagster.defs.batch_assets import BATCH_COMPLETED, results_key
from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, CycleStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.repository import get_cycle
from irp_dagster_tests.operators._support import (
    CYCLE,
    Built,
    audit_rows,
    batch,
    build_batch,
    job,
    snapshot,
)

S = JobStatus
EDM = str(BatchType.EDM_CREATION)


@pytest.fixture(scope="module")
def instance():
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(cycles.name, [CYCLE])
    return instance


@pytest.fixture
def launch(database_url, recorder, instance):
    resources = {
        "database": DatabaseResource(url=database_url),
        "moodys": MoodysResource(
            base_url=recorder.base_url, api_key="k", resource_group_id="rg", max_retries=0
        ),
    }

    def run(job_def: dg.JobDefinition, config: dict, **kwargs) -> dg.ExecuteInProcessResult:
        return job_def.execute_in_process(
            run_config={"ops": {f"{job_def.name}_op": {"config": config}}},
            resources=resources,
            instance=instance,
            raise_on_error=False,
            **kwargs,
        )

    return run


def on_batch(**extra) -> Callable[[Built], dict]:
    return lambda b: {"cycle": b.cycle, "batch_type": EDM, **extra}


def on_job(n: int = 0, **extra) -> Callable[[Built], dict]:
    return lambda b: {"job_id": b.job_ids[n], **extra}


@dataclass(frozen=True)
class Case:
    job: dg.JobDefinition
    statuses: list[JobStatus]
    batch_status: BatchStatus
    config: Callable[[Built], dict]
    effect: Callable[[object, Built], bool]


def _cycle_status(engine, built):
    with transaction(engine) as session:
        return get_cycle(session, built.cycle).status


ACTIONS = {
    "cancel_job": Case(
        oj.operator_cancel_job, [S.RUNNING], BatchStatus.ACTIVE, on_job(reason="wrong"),
        lambda e, b: job(e, b.job_ids[0]).status is S.CANCEL_REQUESTED,
    ),
    "cancel_batch": Case(
        oj.operator_cancel_batch, [S.INITIATED, S.INITIATED], BatchStatus.ACTIVE, on_batch(),
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.CANCELLED,
    ),
    "resubmit_job": Case(
        oj.operator_resubmit_job, [S.FAILED], BatchStatus.FAILED,
        on_job(reason="disk full", override_json='{"Database": "EDM0_b"}', submit_now=False),
        lambda e, b: job(e, b.job_ids[0] + 1).parent_job_id == b.job_ids[0],
    ),
    "resubmit_failed": Case(
        oj.operator_resubmit_failed, [S.FAILED, S.ERROR], BatchStatus.ERROR,
        on_batch(submit_now=False),
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.ACTIVE,
    ),
    "skip_job": Case(
        oj.operator_skip_job, [S.FAILED, S.FINISHED], BatchStatus.FAILED, on_job(reason="manual"),
        lambda e, b: job(e, b.job_ids[0]).skipped,
    ),
    "skip_job_configuration": Case(
        oj.operator_skip_job_configuration, [S.FAILED, S.FINISHED], BatchStatus.FAILED,
        lambda b: {"job_configuration_id": b.configuration_ids[0], "reason": "out of scope"},
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.COMPLETED,
    ),
    "force_ok_job": Case(
        oj.operator_force_ok_job, [S.FAILED], BatchStatus.FAILED, on_job(reason="done by hand"),
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.COMPLETED,
    ),
    "pause_batch": Case(
        oj.operator_pause_batch, [S.INITIATED, S.RUNNING], BatchStatus.ACTIVE, on_batch(),
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.PAUSED,
    ),
    "resume_batch": Case(
        oj.operator_resume_batch, [S.RUNNING], BatchStatus.PAUSED, on_batch(submit_now=False),
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.ACTIVE,
    ),
    "set_priority": Case(
        oj.operator_set_priority, [S.RUNNING], BatchStatus.ACTIVE, on_batch(priority="high"),
        lambda e, b: True,
    ),
    "archive_cycle": Case(
        oj.operator_archive_cycle, [S.FINISHED], BatchStatus.COMPLETED,
        lambda b: {"cycle": b.cycle, "reason": "closed"},
        lambda e, b: _cycle_status(e, b) is CycleStatus.ARCHIVED,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_runs_as_a_dagster_job(engine, launch, instance, name):
    case = ACTIONS[name]
    built = build_batch(engine, case.statuses, batch_status=case.batch_status)
    result = launch(case.job, {**case.config(built), "actor": "ann"})

    assert result.success, result.all_events
    assert case.effect(engine, built)
    (row,) = audit_rows(engine)
    assert (row.action, row.actor, row.cycle_name) == (name, "ann", built.cycle)
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags["irp/audit_id"] == str(row.id) and tags["irp/kind"] == "operator_action"


def test_action_rematerializes_the_results_partition_with_its_check(engine, launch, instance):
    built = build_batch(engine, [S.FAILED, S.FINISHED], batch_status=BatchStatus.FAILED)
    result = launch(oj.operator_force_ok_job, {"job_id": built.job_ids[0], "reason": "by hand"})
    assert result.success

    (materialization,) = result.asset_materializations_for_node("operator_force_ok_job_op")
    assert materialization.asset_key == results_key(BatchType.EDM_CREATION)
    assert materialization.partition == CYCLE
    assert materialization.metadata["batch_status"].value == "COMPLETED"
    assert "force_ok_job" in materialization.metadata["operator_action"].value
    assert "## edm_creation" in materialization.metadata["batch_report"].value
    (check,) = result.get_asset_check_evaluations()
    assert (check.check_name, check.passed, check.partition) == (BATCH_COMPLETED, True, CYCLE)
    latest = instance.get_latest_materialization_event(results_key(BatchType.EDM_CREATION))
    assert latest.run_id == result.run_id


@pytest.mark.parametrize(
    ("job_def", "statuses", "batch_status", "config", "message"),
    [
        (oj.operator_cancel_job, [S.RUNNING], BatchStatus.ACTIVE, {"job_id": 999999},
         "Job 999999 does not exist"),
        (oj.operator_cancel_job, [S.FINISHED], BatchStatus.COMPLETED, "job0",
         "already FINISHED"),
        (oj.operator_resubmit_job, [S.FAILED], BatchStatus.FAILED,
         {"override_json": '{"Database": "X"}'}, "reason is mandatory"),
        (oj.operator_resubmit_job, [S.FAILED], BatchStatus.FAILED,
         {"override_json": '["not", "an", "object"]', "reason": "r"}, "JSON object"),
        (oj.operator_resume_batch, [S.RUNNING], BatchStatus.ACTIVE, "batch",
         "only a PAUSED batch"),
        (oj.operator_pause_batch, [S.RUNNING], BatchStatus.ACTIVE,
         {"cycle": CYCLE, "batch_type": "nope"}, "Unknown batch type"),
    ],
)  # fmt: skip
def test_refused_action_fails_the_run_and_writes_nothing(
    engine, launch, job_def, statuses, batch_status, config, message
):
    built = build_batch(engine, statuses, batch_status=batch_status)
    if config == "job0":
        config = {"job_id": built.job_ids[0]}
    elif config == "batch":
        config = {"cycle": built.cycle, "batch_type": EDM}
    elif "override_json" in config:
        config = {"job_id": built.job_ids[0], **config}
    before = snapshot(engine)

    result = launch(job_def, config)

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert message in failure.step_failure_data.user_failure_data.description
    assert snapshot(engine) == before
    assert not result.asset_materializations_for_node(f"{job_def.name}_op")


def test_actor_is_the_dagster_user_tag_then_the_config_then_the_os_user(engine, launch):
    built = build_batch(engine, [S.FAILED, S.FAILED, S.FAILED], batch_status=BatchStatus.FAILED)
    a, b, c = built.job_ids
    launch(oj.operator_skip_job, {"job_id": a, "reason": "r", "actor": "cfg"},
           tags={"dagster/user": "alice@example.com"})  # fmt: skip
    launch(oj.operator_skip_job, {"job_id": b, "reason": "r", "actor": "cfg"})
    launch(oj.operator_skip_job, {"job_id": c, "reason": "r"})
    from irp_dagster.services.operators import default_actor

    assert [r.actor for r in audit_rows(engine)] == ["alice@example.com", "cfg", default_actor()]


def test_set_priority_patches_moodys_and_reprioritises_waiting_runs(
    engine, launch, instance, recorder
):
    built = build_batch(engine, [S.QUEUED, S.SUBMITTED])
    waiting = instance.create_run_for_job(
        oj.operator_pause_batch,
        run_config={"ops": {"operator_pause_batch_op": {"config": on_batch()(built)}}},
        tags={"dagster/partition": CYCLE, "irp/batch_type": EDM},
    )
    result = launch(
        oj.operator_set_priority, {"cycle": CYCLE, "batch_type": EDM, "priority": "veryhigh"}
    )
    assert result.success
    assert [c.body for c in recorder.calls] == [{"priority": "veryhigh"}] * 2
    assert instance.get_run_by_id(waiting.run_id).tags["dagster/priority"] == "2"
    instance.delete_run(waiting.run_id)


def test_the_defs_package_serves_every_operator_job_and_notification_sensor():
    # As irp_dagster.definitions loads it; that module itself is not imported here because it
    # binds the resources to the environment once per process (the demo sets it later).
    import irp_dagster.defs

    defs = dg.Definitions.merge(
        dg.load_definitions_from_package_module(irp_dagster.defs),
        dg.Definitions(
            resources={
                "database": DatabaseResource(),
                "moodys": MoodysResource(
                    base_url="http://127.0.0.1:9", api_key="k", resource_group_id="rg"
                ),
            }
        ),
    )

    for job_def in oj.OPERATOR_JOBS:
        served = defs.resolve_job_def(job_def.name)
        assert served.tags["irp/kind"] == "operator_action"
        assert served.tags["dagster/priority"] == "10"  # ahead of batch runs in the queue
        assert set(served.required_resource_keys) >= {"database", "moodys"}
    for name in ("batch_failure_notification_sensor", "run_failure_notification_sensor"):
        assert defs.resolve_sensor_def(name).name == name
