"""The demo cycle, and the driver that runs a cycle in-process as the Dagster daemon would.

:class:`CycleDriver` is the one loop used by ``irp demo``, the cycle tests and the benchmark:
it evaluates declarative automation and ticks the polling sensor, executing the runs they
request (each run key once), until every batch has ended or nothing can move any more.
:func:`run_demo` starts the mock Moody's on a free loopback port with a fast clock, uses a
temporary DAGSTER_HOME and SQLite, and drives cycle ``demo`` from the project's sample workbook
(or any workbook).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from sqlalchemy import Engine, func, select

from irp_dagster.defs.partitions import cycles
from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import (
    BATCH_TERMINAL,
    JOB_IN_FLIGHT,
    BatchStatus,
    JobStatus,
)
from irp_dagster.persistence.db import cached_engine, transaction, upgrade
from irp_dagster.persistence.models import Batch, Configuration, Cycle, Job, JobConfiguration
from irp_dagster.services.configurations import register_workbook

CYCLE = "demo"
DEFAULT_CLOCK_FACTOR = 1200.0
#: Run logs stay in the instance (and the UI with --keep); the console shows progress lines.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
AUTOMATION_SOURCES = ("_results", "configuration")


@contextmanager
def _partitions_cached(instance: dg.DagsterInstance) -> Iterator[None]:
    """One automation evaluation reads the dynamic partitions thousands of times (each a new
    SQLite connection on a local instance); they cannot change meanwhile, so read them once."""
    original = instance.get_dynamic_partitions
    cache: dict[str, list[str]] = {}

    def cached(partitions_def_name: str) -> list[str]:
        if partitions_def_name not in cache:
            cache[partitions_def_name] = original(partitions_def_name)
        return cache[partitions_def_name]

    instance.get_dynamic_partitions = cached  # type: ignore[method-assign]
    try:
        yield
    finally:
        del instance.get_dynamic_partitions


@dataclass(frozen=True)
class BatchSummary:
    """One batch of a cycle: its status and how many of its live jobs are where."""

    batch_type: str
    status: str
    jobs: int
    finished: int
    failed: int
    in_flight: int
    waiting: int
    skipped: int

    def line(self) -> str:
        parts = [f"{self.finished}/{self.jobs} finished"]
        for count, label in (
            (self.in_flight, "at Moody's"),
            (self.waiting, "waiting"),
            (self.failed, "failed"),
            (self.skipped, "skipped"),
        ):
            if count:
                parts.append(f"{count} {label}")
        return f"{self.batch_type:<18} {self.status:<10} " + ", ".join(parts)


def batch_summaries(engine: Engine, cycle: str) -> list[BatchSummary]:
    """The cycle's batches in cycle order, with job counts (one aggregate query)."""
    with transaction(engine) as session:
        rows = session.execute(
            select(Batch.batch_type, Batch.status, Job.status, Job.skipped, func.count(Job.id))
            .join(Configuration, Batch.configuration_id == Configuration.id)
            .join(Cycle, Configuration.cycle_id == Cycle.id)
            .outerjoin(Job, Job.batch_id == Batch.id)
            .where(Cycle.name == cycle)
            .group_by(Batch.batch_type, Batch.status, Job.status, Job.skipped)
        ).all()
    counts: dict[str, dict] = {}
    for batch_type, batch_status, job_status, skipped, n in rows:
        entry = counts.setdefault(str(batch_type), {"status": str(batch_status), "jobs": {}})
        if job_status is not None:
            key = "SKIPPED" if skipped else str(job_status)
            entry["jobs"][key] = entry["jobs"].get(key, 0) + n
    order = {str(t): i for i, t in enumerate(BatchType)}
    summaries = []
    for batch_type in sorted(counts, key=order.__getitem__):
        jobs = counts[batch_type]["jobs"]
        live = sum(n for s, n in jobs.items() if s != "SKIPPED")
        summaries.append(
            BatchSummary(
                batch_type=batch_type,
                status=counts[batch_type]["status"],
                jobs=live,
                finished=jobs.get(JobStatus.FINISHED, 0) + jobs.get(JobStatus.FORCED_OK, 0),
                failed=sum(
                    jobs.get(s, 0) for s in (JobStatus.FAILED, JobStatus.ERROR, JobStatus.CANCELLED)
                ),
                in_flight=sum(jobs.get(s, 0) for s in JOB_IN_FLIGHT),
                waiting=jobs.get(JobStatus.INITIATED, 0) + jobs.get(JobStatus.SUBMITTING, 0),
                skipped=jobs.get("SKIPPED", 0),
            )
        )
    return summaries


def summary_rows(engine: Engine) -> list[tuple[str, str, str, str | None, str | None]]:
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


OUTCOME_KEYS = ("database_name", "portfolio_id", "treaty_id", "analysis_id", "database_id")


def _outcome(result: dict | None) -> str | None:
    if not result:
        return None
    return ", ".join(f"{k}={v}" for k, v in result.items() if k in OUTCOME_KEYS)


@dataclass
class CycleRun:
    """What driving a cycle did."""

    summaries: list[BatchSummary] = field(default_factory=list)
    dagster_runs: int = 0
    failed_runs: list[str] = field(default_factory=list)
    ticks: int = 0
    seconds: float = 0.0

    @property
    def batch_statuses(self) -> dict[str, str]:
        return {s.batch_type: s.status for s in self.summaries}


class CycleDriver:
    """Drives one cycle in-process: declarative automation starts batches, the polling sensor
    tracks jobs and requests reconciliation; every requested run is executed once."""

    def __init__(
        self,
        defs: dg.Definitions,
        instance: dg.DagsterInstance,
        engine: Engine,
        cycle: str,
        *,
        echo: Callable[[str], None] = print,
        between_ticks: Callable[[], None] = lambda: time.sleep(0.25),
    ) -> None:
        self.defs, self.instance, self.engine, self.cycle = defs, instance, engine, cycle
        self.echo, self.between_ticks = echo, between_ticks
        self.run = CycleRun()
        self._cursor = None
        self._automation_due = True
        self._seen_run_keys: set[str] = set()
        self._lines: dict[str, str] = {}
        self._started = time.monotonic()

    def _execute(self, selection: list[dg.AssetKey], tags: dict[str, str] | None = None) -> None:
        result = self.defs.get_implicit_global_asset_job_def().execute_in_process(
            asset_selection=selection,
            partition_key=self.cycle,
            instance=self.instance,
            tags=tags,
            run_config=QUIET_RUN_CONFIG,
            raise_on_error=False,
        )
        self.run.dagster_runs += 1
        # Only an upstream update can start a batch: results and configuration materializations.
        self._automation_due |= any(k.path[-1].endswith(AUTOMATION_SOURCES) for k in selection)
        if not result.success:
            names = [k.to_user_string() for k in selection]
            self.run.failed_runs.append(", ".join(names))

    def _evaluate_automation(self) -> list[dg.AssetKey]:
        self._automation_due = False
        with _partitions_cached(self.instance):
            evaluation = dg.evaluate_automation_conditions(
                defs=self.defs, instance=self.instance, cursor=self._cursor
            )
        self._cursor = evaluation.cursor
        return [
            key
            for key in self.defs.resolve_asset_graph().get_all_asset_keys()
            if self.cycle in evaluation.get_requested_partitions(key)
        ]

    def baseline(self) -> None:
        """The automation sensor is already running when a cycle's workbook arrives (or when
        the driver resumes): a first evaluation sets its baseline."""
        self._evaluate_automation()

    def start(self) -> None:
        """Baseline, then materialize the cycle's configuration (which starts the batches)."""
        self.baseline()
        self._execute([dg.AssetKey("configuration")])

    def tick(self) -> int:
        """One automation evaluation and one sensor tick; returns how many runs were executed."""
        from irp_dagster.defs.sensors import moodys_job_sensor

        started = self._evaluate_automation() if self._automation_due else []
        requests = [dg.RunRequest(asset_selection=started, partition_key=self.cycle)]
        requests = requests if started else []
        with dg.build_sensor_context(
            instance=self.instance, definitions=self.defs, resources=self.defs.resources
        ) as context:
            context.log.setLevel(logging.WARNING)  # the progress lines say what happened
            requests += moodys_job_sensor(context).run_requests or []
        executed = 0
        for request in requests:
            if request.run_key and request.run_key in self._seen_run_keys:
                continue
            if request.run_key:
                self._seen_run_keys.add(request.run_key)
            self._execute(list(request.asset_selection or []), dict(request.tags))
            executed += 1
        self.run.ticks += 1
        self._report()
        return executed

    def _report(self) -> None:
        self.run.summaries = batch_summaries(self.engine, self.cycle)
        elapsed = time.monotonic() - self._started
        for summary in self.run.summaries:
            line = summary.line()
            if self._lines.get(summary.batch_type) != line:
                self._lines[summary.batch_type] = line
                self.echo(f"[{elapsed:6.1f}s] {line}")

    def done(self) -> bool:
        """Every batch type of the graph exists and has ended."""
        from irp_dagster.defs.batch_assets import IMPLEMENTED

        statuses = {s.batch_type: s.status for s in self.run.summaries}
        return set(statuses) == {str(t) for t in IMPLEMENTED} and all(
            BatchStatus(s) in BATCH_TERMINAL for s in statuses.values()
        )

    def _moving(self) -> bool:
        return any(s.in_flight for s in self.run.summaries)

    def run_until_done(self, timeout_seconds: float = 300.0) -> CycleRun:
        """Tick until the cycle is done, or nothing is at Moody's and two ticks in a row
        started nothing (e.g. a FAILED batch stopped the chain), or the timeout."""
        deadline = time.monotonic() + timeout_seconds
        idle = 0
        while time.monotonic() < deadline:
            executed = self.tick()
            if self.done():
                break
            idle = 0 if executed or self._moving() else idle + 1
            if idle >= 2:
                break
            self.between_ticks()
        self.run.seconds = time.monotonic() - self._started
        return self.run


@dataclass
class DemoResult:
    home: Path
    run: CycleRun = field(default_factory=CycleRun)

    @property
    def batch_statuses(self) -> dict[str, str]:
        return self.run.batch_statuses

    @property
    def dagster_runs(self) -> int:
        return self.run.dagster_runs

    @property
    def ok(self) -> bool:
        from irp_dagster.defs.batch_assets import IMPLEMENTED

        statuses = self.batch_statuses
        return set(statuses) == {str(t) for t in IMPLEMENTED} and all(
            s == BatchStatus.COMPLETED for s in statuses.values()
        )


def _environment(home: Path, base_url: str) -> dict[str, str]:
    return {
        "DAGSTER_HOME": str(home / "dagster_home"),
        "IRP_HOME": str(home),
        "IRP_DATABASE_URL": f"sqlite:///{home / 'irp.sqlite'}",
        "IRP_MOODYS_BASE_URL": base_url,
        "IRP_MOODYS_API_KEY": "demo-api-key",
    }


def quiet_dagster() -> None:
    for category in (dg.BetaWarning, dg.PreviewWarning, UserWarning):
        warnings.filterwarnings("ignore", category=category)
    for name in ("dagster", "dagster.automation_condition_tester"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_demo(
    *,
    workbook: Path | None = None,
    keep: bool = False,
    clock_factor: float = DEFAULT_CLOCK_FACTOR,
    timeout_seconds: float = 300.0,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    from irp_dagster.workbook import write_sample_workbook
    from mock_moodys.config import MockConfig
    from mock_moodys.server import MockServer

    quiet_dagster()
    home = Path(tempfile.mkdtemp(prefix="irp-demo-"))
    (home / "dagster_home").mkdir()
    (home / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    result = DemoResult(home=home)
    saved = dict(os.environ)
    try:
        with MockServer(MockConfig(clock_factor=clock_factor)) as mock:
            os.environ.update(_environment(home, mock.base_url))
            echo(f"Mock Moody's at {mock.base_url} (clock x{clock_factor:g}); home {home}")
            result.run = _run(
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


def _run(workbook: Path, timeout_seconds: float, echo) -> CycleRun:
    from irp_dagster.definitions import build_definitions
    from irp_dagster.defs.resources import DatabaseResource, MoodysResource

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
    driver = CycleDriver(defs, instance, engine, CYCLE, echo=echo)
    driver.start()
    return driver.run_until_done(timeout_seconds)
