"""The operator actions through the ``irp`` command line (click CliRunner), on SQLite and
PostgreSQL: effects, audit rows, refusals (exit 1, nothing written) and the Dagster events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click
import dagster as dg
import pytest
from click.testing import CliRunner, Result

from irp_dagster.cli.operators import register
from irp_dagster.defs.batch_assets import results_key
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import JobConfiguration
from irp_dagster_tests.operators._support import (
    CYCLE,
    Built,
    audit_rows,
    batch,
    build_batch,
    job,
    job_data,
    snapshot,
)

S = JobStatus
EDM = str(BatchType.EDM_CREATION)


@pytest.fixture
def irp(database_url, recorder, tmp_path) -> Callable[..., Result]:
    group = click.Group("irp")
    register(group)
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {
        "IRP_DATABASE_URL": database_url,
        "IRP_MOODYS_BASE_URL": recorder.base_url,
        "IRP_MOODYS_MAX_RETRIES": "0",
        "DAGSTER_HOME": str(home),
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(group, [str(a) for a in args], env=env)

    return invoke


@dataclass(frozen=True)
class Case:
    statuses: list[JobStatus]
    batch_status: BatchStatus
    args: Callable[[Built], list]
    effect: Callable[[object, Built], bool]


COMMANDS = {
    "cancel_job": Case(
        [S.QUEUED], BatchStatus.ACTIVE, lambda b: ["cancel-job", b.job_ids[0]],
        lambda e, b: job(e, b.job_ids[0]).status is S.CANCEL_REQUESTED,
    ),
    "cancel_batch": Case(
        [S.INITIATED], BatchStatus.ACTIVE, lambda b: ["cancel-batch", CYCLE, EDM],
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.CANCELLED,
    ),
    "resubmit_job": Case(
        [S.FAILED], BatchStatus.FAILED,
        lambda b: ["resubmit-job", b.job_ids[0], "--no-submit", "--override", "Version=23",
                   "--reason", "upgrade"],
        lambda e, b: job_data(e, b.job_ids[0] + 1)["Version"] == 23,
    ),
    "resubmit_failed": Case(
        [S.CANCELLED], BatchStatus.CANCELLED,
        lambda b: ["resubmit-failed", CYCLE, EDM, "--no-submit"],
        lambda e, b: job(e, b.job_ids[0]).skipped,
    ),
    "skip_job": Case(
        [S.ERROR], BatchStatus.ERROR, lambda b: ["skip-job", b.job_ids[0], "--reason", "r"],
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.ACTIVE,  # awaiting action
    ),
    "skip_job_configuration": Case(
        [S.ERROR], BatchStatus.ERROR,
        lambda b: ["skip-config", b.configuration_ids[0], "--reason", "r"],
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.COMPLETED,
    ),
    "force_ok_job": Case(
        [S.CANCELLED], BatchStatus.CANCELLED, lambda b: ["force-ok", b.job_ids[0], "--reason", "r"],
        lambda e, b: job(e, b.job_ids[0]).status is S.FORCED_OK,
    ),
    "pause_batch": Case(
        [S.INITIATED], BatchStatus.ACTIVE, lambda b: ["pause", CYCLE, EDM],
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.PAUSED,
    ),
    "resume_batch": Case(
        [S.RUNNING], BatchStatus.PAUSED, lambda b: ["resume", CYCLE, EDM, "--no-submit"],
        lambda e, b: batch(e, b.batch_id).status is BatchStatus.ACTIVE,
    ),
    "set_priority": Case(
        [S.QUEUED], BatchStatus.ACTIVE, lambda b: ["set-priority", CYCLE, EDM, "LOW"],
        lambda e, b: True,
    ),
    "archive_cycle": Case(
        [S.FINISHED], BatchStatus.COMPLETED, lambda b: ["archive", CYCLE, "--reason", "done"],
        lambda e, b: True,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_action_runs_from_the_cli(engine, irp, recorder, name):
    case = COMMANDS[name]
    built = build_batch(engine, case.statuses, batch_status=case.batch_status)
    result = irp(*case.args(built), "--actor", "ops-bot", "--no-dagster")

    assert result.exit_code == 0, result.output
    assert case.effect(engine, built)
    (row,) = audit_rows(engine)
    assert (row.action, row.actor, row.cycle_name) == (name, "ops-bot", CYCLE)
    assert f"(audit #{row.id})" in result.output
    if name == "set_priority":
        assert recorder.calls[-1].body == {"priority": "low"}


@pytest.mark.parametrize(
    ("statuses", "batch_status", "args", "message"),
    [
        ([S.RUNNING], BatchStatus.ACTIVE, ["cancel-job", 999999], "Job 999999 does not exist"),
        ([S.FINISHED], BatchStatus.COMPLETED, ["cancel-job", "{job}"], "already FINISHED"),
        ([S.FAILED], BatchStatus.FAILED,
         ["resubmit-job", "{job}", "--override", "Database=X", "--no-submit"],
         "reason is mandatory"),
        ([S.RUNNING], BatchStatus.ACTIVE, ["resume", CYCLE, EDM], "only a PAUSED batch"),
        ([S.RUNNING], BatchStatus.ACTIVE, ["skip-job", "{job}", "--reason", " "],
         "reason is mandatory"),
        ([S.RUNNING], BatchStatus.ACTIVE, ["pause", "no-such-cycle", EDM], "does not exist"),
    ],
)  # fmt: skip
def test_refused_actions_exit_1_and_write_nothing(
    engine, irp, statuses, batch_status, args, message
):
    built = build_batch(engine, statuses, batch_status=batch_status)
    before = snapshot(engine)
    result = irp(*[str(a).replace("{job}", str(built.job_ids[0])) for a in args])
    assert result.exit_code == 1, result.output
    assert "Refused:" in result.output and message in result.output
    assert snapshot(engine) == before


def test_override_must_be_key_value(engine, irp):
    built = build_batch(engine, [S.FAILED], batch_status=BatchStatus.FAILED)
    result = irp("resubmit-job", built.job_ids[0], "--override", "Database", "--reason", "r")
    assert result.exit_code == 2 and "KEY=VALUE" in result.output


def test_override_json_and_pairs_merge(engine, irp):
    built = build_batch(engine, [S.FAILED], batch_status=BatchStatus.FAILED)
    result = irp(
        "resubmit-job", built.job_ids[0], "--override-json", '{"Database": "EDM0_b"}',
        "--override", "Version=24", "--reason", "spare server", "--no-submit", "--no-dagster",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with transaction(engine) as session:
        newest = session.query(JobConfiguration).order_by(JobConfiguration.id.desc()).first()
        assert newest.data == {"Database": "EDM0_b", "Version": 24}
        assert newest.override_reason == "spare server"


def test_cli_action_reports_the_new_batch_state_to_dagster(engine, irp, tmp_path, monkeypatch):
    built = build_batch(engine, [S.FAILED], batch_status=BatchStatus.FAILED)
    result = irp("force-ok", built.job_ids[0], "--reason", "accepted")
    assert result.exit_code == 0, result.output
    assert "COMPLETED" in result.output
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(results_key(BatchType.EDM_CREATION))
        assert event.asset_materialization.partition == CYCLE
        assert event.asset_materialization.metadata["batch_status"].value == "COMPLETED"
        assert not event.run_id  # a runless event
