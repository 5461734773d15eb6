"""What operators read: the batch report (failures with Moody's messages and a recommended next
action, configurations awaiting action, resubmission lineage), the audit listing and the
Excel/CSV export, through the services and ``irp status|audit|export``."""

from __future__ import annotations

import json

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from irp_dagster.cli.operators import register
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.services import operators as ops
from irp_dagster.services.batch_report import batch_report, recommend
from irp_dagster.services.export import export_cycle
from irp_dagster_tests.operators._support import CYCLE, build_batch, fail_at_moodys

S = JobStatus


@pytest.fixture
def history(engine):
    """edm_creation: job 0 failed twice then resubmitted with an override; job 1 skipped
    (awaiting action); job 2 ERROR; job 3 FINISHED. Plus a second, finished batch type."""
    built = build_batch(
        engine, [S.FAILED, S.FAILED, S.ERROR, S.FINISHED], batch_status=BatchStatus.FAILED
    )
    first = built.job_ids[0]
    second = ops.resubmit_job(engine, first, actor="ann", reason="retry").new_job_ids[0]
    fail_at_moodys(engine, second, "Server busy | try later")
    third = ops.resubmit_job(
        engine, second, actor="ann", reason="use the spare server", override={"Database": "X"}
    ).new_job_ids[0]
    fail_at_moodys(engine, third, "EDM quota exceeded")
    ops.skip_job(engine, built.job_ids[1], actor="bob", reason="checking at Moody's")
    build_batch(
        engine, [S.FINISHED], batch_type=BatchType.GEOHAZ, batch_status=BatchStatus.COMPLETED
    )
    return built, (first, second, third)


def test_batch_report_tells_the_operator_what_to_do(engine, history):
    built, (first, second, third) = history
    report = batch_report(engine, built.batch_id)

    assert report.startswith(f"## edm_creation (batch {built.batch_id}): ACTIVE")
    assert "| SKIPPED | 3 |" in report and "| FINISHED | 1 |" in report
    assert "### Awaiting action" in report
    awaiting = f"| {built.configuration_ids[1]} | EDM1 | {built.job_ids[1]} | resubmit the last job"
    assert awaiting in report
    failed = report.split("### Failed jobs")[1].split("###")[0]
    assert f"| {third} | EDM0 | R{third} | FAILED |" in failed
    assert "EDM quota exceeded" in failed and "tried 3 times" in failed
    assert f"| {built.job_ids[2]} | EDM2 |" in failed and "Moody's refused the request" in failed
    listed = [row.split("|")[1].strip() for row in failed.splitlines() if row.startswith("| ")]
    assert listed[1:] == [str(built.job_ids[2]), str(third)]  # effective jobs only
    lineage = report.split("### Resubmissions")[1]
    assert f"{first} (FAILED) → {second} (FAILED) → {third} (FAILED)" in lineage
    assert f"job {third}: use the spare server" in lineage


@pytest.mark.parametrize(
    ("status", "reason", "attempts", "expected"),
    [
        (S.FAILED, None, 1, "resubmit; if it fails again"),
        (S.FAILED, "LOST", 1, "lost the job"),
        (S.FAILED, "TIMEOUT", 2, "timed out"),
        (S.CANCELLED, None, 1, "force-OK if the cancellation was intended"),
        (S.ERROR, None, 1, "fix the data"),
        (S.FAILED, None, 3, "tried 3 times"),
    ],
)
def test_recommended_next_action(status, reason, attempts, expected):
    assert expected in recommend(status, reason, attempts)


@pytest.fixture
def irp(database_url):
    group = click.Group("irp")
    register(group)
    return lambda *args: CliRunner().invoke(
        group, [str(a) for a in args], env={"IRP_DATABASE_URL": database_url}
    )


def test_irp_status_and_audit(engine, history, irp):
    built, (first, second, third) = history
    status = irp("status", CYCLE, "--batch", "edm_creation")
    assert status.exit_code == 0, status.output
    assert status.output.startswith(f"# Cycle {CYCLE} (ACTIVE)")
    assert "## edm_creation" in status.output and "## geohaz" not in status.output
    assert "## geohaz" in irp("status", CYCLE).output

    audit = irp("audit", CYCLE)
    assert audit.exit_code == 0
    lines = audit.output.splitlines()
    assert [line.split()[4] for line in lines] == ["resubmit_job", "resubmit_job", "skip_job"]
    assert "ann resubmit_job job" in lines[1] and "reason=use the spare server" in lines[1]
    rows = [json.loads(line) for line in irp("audit", CYCLE, "--json").output.splitlines()]
    assert rows[1]["after"]["override"] == {"Database": "X"}
    assert irp("audit", "nope").exit_code == 1
    assert irp("status", "nope").exit_code == 1


def test_export_excel_has_a_sheet_per_batch_type(engine, history, tmp_path, irp):
    built, (first, second, third) = history
    path = tmp_path / "out" / "cycle.xlsx"
    result = irp("export", CYCLE, path)
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["summary", "edm_creation", "geohaz", "operator_actions"]
    edm = sheets["edm_creation"].set_index("job_id")
    assert len(edm) == 6
    assert edm.loc[third, "moodys_job_id"] == f"R{third}"
    assert edm.loc[third, "parent_job_id"] == second
    assert edm.loc[third, "override_reason"] == "use the spare server"
    assert edm.loc[third, "last_error"] == "EDM quota exceeded"
    assert sheets["summary"]["jobs"].tolist() == [6, 1]
    assert sheets["operator_actions"]["action"].tolist() == [
        "resubmit_job",
        "resubmit_job",
        "skip_job",
    ]


def test_export_csv(engine, history, tmp_path):
    path = export_cycle(engine, CYCLE, tmp_path / "cycle.csv")
    frame = pd.read_csv(path)
    assert frame["batch_type"].value_counts().to_dict() == {"edm_creation": 6, "geohaz": 1}
    assert {"moodys_job_id", "status", "result", "submitted_at_utc"} <= set(frame.columns)
