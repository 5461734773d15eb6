"""The demo cycle: everything in one process on the embedded defaults.

Starts the mock Moody's on a free loopback port with a fast clock, uses a temporary
DAGSTER_HOME and SQLite, creates cycle ``demo`` from the project's sample workbook (or any
workbook), materializes the assets and evaluates the polling sensor in-process (honouring its
run keys, as the daemon does) until every batch is reconciled.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from sqlalchemy import func, select

from irp_dagster.defs.partitions import cycles
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BATCH_TERMINAL, BatchStatus
from irp_dagster.persistence.db import cached_engine, transaction, upgrade
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.configurations import register_workbook

CYCLE = "demo"
#: Run logs stay in the instance (and the UI with --keep); the console shows progress lines.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class DemoResult:
    home: Path
    batch_statuses: dict[str, str] = field(default_factory=dict)
    dagster_runs: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.batch_statuses) and all(
            s == BatchStatus.COMPLETED for s in self.batch_statuses.values()
        )


def _environment(home: Path, base_url: str) -> dict[str, str]:
    return {
        "DAGSTER_HOME": str(home / "dagster_home"),
        "IRP_HOME": str(home),
        "IRP_DATABASE_URL": f"sqlite:///{home / 'irp.sqlite'}",
        "IRP_MOODYS_BASE_URL": base_url,
        "IRP_MOODYS_API_KEY": "demo-api-key",
    }


def _progress(engine) -> dict[str, dict[str, int]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Batch.batch_type, Job.status, func.count())
            .join(Job, Job.batch_id == Batch.id)
            .group_by(Batch.batch_type, Job.status)
        ).all()
    progress: dict[str, dict[str, int]] = {}
    for batch_type, status, count in rows:
        progress.setdefault(str(batch_type), {})[str(status)] = count
    return progress


def batch_statuses(engine) -> dict[str, str]:
    with transaction(engine) as session:
        return {str(t): str(s) for t, s in session.execute(select(Batch.batch_type, Batch.status))}


def summary_rows(engine) -> list[tuple[str, str, str, str | None, str | None]]:
    """(batch type, job configuration, job status, Moody's job id, outcome) per live job."""
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Batch.batch_type, JobConfiguration.key, Job.status, Job.moodys_job_id, Job.result
            )
            .join(Job, Job.batch_id == Batch.id)
            .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
            .where(Job.skipped.is_(False))
            .order_by(Batch.id, Job.id)
        ).all()
    return [
        (str(t), key, str(status), mid, _outcome(result)) for t, key, status, mid, result in rows
    ]


def _outcome(result: dict | None) -> str | None:
    if not result:
        return None
    return ", ".join(f"{k}={v}" for k, v in result.items() if k in ("exposure_id", "database_name"))


def run_demo(
    *,
    workbook: Path | None = None,
    keep: bool = False,
    clock_factor: float = 600.0,
    timeout_seconds: float = 300.0,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    from irp_dagster.workbook import write_sample_workbook
    from mock_moodys.config import MockConfig
    from mock_moodys.server import MockServer

    for category in (dg.BetaWarning, dg.PreviewWarning, UserWarning):
        warnings.filterwarnings("ignore", category=category)
    for name in ("dagster", "dagster.automation_condition_tester"):
        logging.getLogger(name).setLevel(logging.WARNING)

    home = Path(tempfile.mkdtemp(prefix="irp-demo-"))
    (home / "dagster_home").mkdir()
    (home / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    result = DemoResult(home=home)
    saved = dict(os.environ)
    try:
        with MockServer(MockConfig(clock_factor=clock_factor)) as mock:
            os.environ.update(_environment(home, mock.base_url))
            echo(f"Mock Moody's at {mock.base_url} (clock x{clock_factor:g}); home {home}")
            _run(
                result,
                workbook or write_sample_workbook(home / "sample_workbook.xlsx"),
                timeout_seconds,
                echo,
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if not keep:
            import shutil

            shutil.rmtree(home, ignore_errors=True)
    return result


def _run(result: DemoResult, workbook: Path, timeout_seconds: float, echo) -> None:
    """Drive the cycle as the daemon would: configuration, then ticks of the polling sensor and
    of declarative automation, executing the runs they request (each run key once)."""
    from irp_dagster.definitions import build_definitions
    from irp_dagster.defs.resources import DatabaseResource, MoodysResource
    from irp_dagster.defs.sensors import moodys_job_sensor

    url = os.environ["IRP_DATABASE_URL"]
    defs = build_definitions(
        {
            "database": DatabaseResource(url=url),
            "moodys": MoodysResource(
                base_url=os.environ["IRP_MOODYS_BASE_URL"],
                api_key=os.environ["IRP_MOODYS_API_KEY"],
            ),
        }
    )
    upgrade(url)
    engine = cached_engine(url)
    register_workbook(engine, CYCLE, workbook)
    echo(f"Cycle {CYCLE!r} registered with workbook {workbook.name}")

    instance = dg.DagsterInstance.get()
    instance.add_dynamic_partitions(cycles.name, [CYCLE])
    asset_job = defs.get_implicit_global_asset_job_def()

    def execute(selection: list[dg.AssetKey], tags: dict[str, str] | None = None) -> None:
        run = asset_job.execute_in_process(
            asset_selection=selection,
            partition_key=CYCLE,
            instance=instance,
            tags=tags,
            run_config=QUIET_RUN_CONFIG,
            raise_on_error=False,
        )
        result.dagster_runs += 1
        if not run.success:
            failed = [e.message for e in run.all_events if e.is_failure]
            echo(f"Run for {[k.to_user_string() for k in selection]} failed: {failed[-1:]}")

    # The automation sensor is already running when a cycle's workbook arrives: a first
    # evaluation sets its baseline, so the new configuration counts as an upstream update.
    automation_cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
    execute([dg.AssetKey("configuration")])
    seen_run_keys: set[str] = set()
    deadline = time.monotonic() + timeout_seconds
    last_line = ""
    while time.monotonic() < deadline:
        automation = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=automation_cursor
        )
        automation_cursor = automation.cursor
        started = [
            key
            for key in defs.resolve_asset_graph().get_all_asset_keys()
            if CYCLE in automation.get_requested_partitions(key)
        ]
        requests = [dg.RunRequest(asset_selection=started, partition_key=CYCLE)] if started else []
        with dg.build_sensor_context(
            instance=instance, definitions=defs, resources=defs.resources
        ) as context:
            requests += moodys_job_sensor(context).run_requests or []
        for request in requests:
            if request.run_key and request.run_key in seen_run_keys:
                continue
            seen_run_keys.add(request.run_key)
            execute(list(request.asset_selection or []), dict(request.tags))
        line = _progress_line(engine)
        if line != last_line:
            echo(line)
            last_line = line
        if _cycle_done(engine):
            break
        time.sleep(0.25)
    result.batch_statuses = batch_statuses(engine)


def _cycle_done(engine) -> bool:
    """Every implemented batch exists and has ended (or one FAILED/ERROR stops the chain)."""
    from irp_dagster.defs.batch_assets import IMPLEMENTED

    statuses = {BatchType(t): BatchStatus(s) for t, s in batch_statuses(engine).items()}
    if any(
        s in (BatchStatus.FAILED, BatchStatus.ERROR, BatchStatus.CANCELLED)
        for s in statuses.values()
    ):
        return True
    return set(statuses) == set(IMPLEMENTED) and all(s in BATCH_TERMINAL for s in statuses.values())


def _progress_line(engine) -> str:
    statuses = batch_statuses(engine)
    parts = []
    for batch_type, counts in _progress(engine).items():
        jobs = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        parts.append(f"{batch_type} [{statuses.get(batch_type)}]: {jobs}")
    return " | ".join(parts) or "no batches yet"
