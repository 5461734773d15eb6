"""Benchmark: a whole cycle's wall time against the mock's critical path.

Runs the demo cycle (in-process Dagster, mock Moody's with a compressed clock) on a workbook,
then compares each batch's wall time (created -> completed; "start": from its upstream batch's
completion to its creation) with the time its jobs need at the
mock along the chain: queue + pending + run of the batch's slowest job type, twice for the RDM
export (seed, then the rest), once per nesting level for rollups, 0 for the sync types. The
difference is the orchestration overhead (Dagster runs, sensor ticks, submissions, polling).

    uv run python bench/bench_cycle.py [--workbook PATH] [--clock-factor 1200]

The workbook defaults to ``$IRP_SHARED_DIR/fixtures/valid_excel_configuration.xlsx`` (~465 jobs);
without it the project's sample workbook is used. Goal: the cycle COMPLETED in under 60 s.
Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from sqlalchemy import select

from irp_dagster.demo import DEFAULT_CLOCK_FACTOR, run_demo
from irp_dagster.domain.batch_types import BATCH_TYPE_SPECS, BatchType
from irp_dagster.domain.transformers import transform
from irp_dagster.persistence.db import make_engine, transaction
from irp_dagster.persistence.models import Batch
from irp_dagster.workbook import validate_workbook
from mock_moodys.jobs import DURATIONS, PENDING_SECONDS

GOAL_SECONDS = 60.0  # the whole reference workbook cycle, at the default clock factor
SHARED = Path(os.environ.get("IRP_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
#: the Moody's job type(s) each asynchronous batch type runs
JOB_TYPES = {
    BatchType.EDM_CREATION: ("CREATE_EDM",),
    BatchType.MRI_IMPORT: ("MRI_IMPORT",),
    BatchType.EDM_UPGRADE: ("EDM_DATA_UPGRADE",),
    BatchType.GEOHAZ: ("GEOHAZ",),
    BatchType.GROUPING: ("GROUPING",),
    BatchType.GROUPING_ROLLUP: ("GROUPING",),
    BatchType.RDM_EXPORT: ("RDM_DATABRIDGE",),
}


def _job_seconds(job_type: str) -> float:
    queue, run = DURATIONS[job_type]
    return queue + PENDING_SECONDS + run


def _rollup_depth(config: dict) -> int:
    """Longest chain of rollups containing rollups (each level waits for the one below)."""
    specs = {s.key: s.data["group_names"] for s in transform(BatchType.GROUPING_ROLLUP, config)}

    def depth(name: str) -> int:
        return 1 + max((depth(g) for g in specs[name] if g in specs), default=0)

    return max((depth(name) for name in specs), default=0)


def critical_path(config: dict) -> dict[BatchType, float]:
    """Mock seconds each batch type adds to the chain (0 for sync and empty batches)."""
    path = {}
    for batch_type, spec in BATCH_TYPE_SPECS.items():
        jobs = transform(batch_type, config)
        if spec.is_sync or not jobs:
            path[batch_type] = 0.0
        elif batch_type is BatchType.ANALYSIS:
            hd = any(str(j.data["Analysis Profile"]).upper().startswith("HD") for j in jobs)
            path[batch_type] = _job_seconds("HD" if hd else "DLM")
        else:
            levels = {BatchType.GROUPING_ROLLUP: _rollup_depth(config)}.get(batch_type, 1)
            if batch_type is BatchType.RDM_EXPORT and len(jobs) > 1:
                levels = 2
            path[batch_type] = levels * max(_job_seconds(t) for t in JOB_TYPES[batch_type])
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workbook", type=Path, default=SHARED / "fixtures/valid_excel_configuration.xlsx"
    )
    parser.add_argument("--clock-factor", type=float, default=DEFAULT_CLOCK_FACTOR)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    workbook = args.workbook if args.workbook.is_file() else None
    config = validate_workbook(workbook).configuration if workbook else _sample_configuration()
    path = critical_path(config)

    started = time.perf_counter()
    result = run_demo(
        workbook=workbook,
        keep=True,
        clock_factor=args.clock_factor,
        timeout_seconds=args.timeout,
        echo=lambda line: None,
    )
    wall = time.perf_counter() - started
    try:
        engine = make_engine(f"sqlite:///{result.home / 'irp.sqlite'}")
        with transaction(engine) as session:
            times = {
                BatchType(t): (created, completed)
                for t, created, completed in session.execute(
                    select(Batch.batch_type, Batch.created_at, Batch.completed_at)
                )
            }
        engine.dispose()
    finally:
        shutil.rmtree(result.home, ignore_errors=True)

    jobs = {s.batch_type: s.jobs for s in result.run.summaries}
    statuses = result.run.batch_statuses
    factor = args.clock_factor
    print(f"workbook: {workbook or 'sample'}; clock x{factor:g}")
    print(
        f"{'batch':<20} {'status':<10} {'jobs':>5} {'start s':>8} {'wall s':>8} "
        f"{'mock path s':>12} {'gap s':>7}"
    )
    for batch_type in BatchType:
        created, completed = times.get(batch_type, (None, None))
        spent = (completed - created).total_seconds() if created and completed else float("nan")
        ready = [times[u][1] for u in BATCH_TYPE_SPECS[batch_type].upstream if u in times]
        start = (created - max(ready)).total_seconds() if created and ready and all(ready) else 0
        ideal = path[batch_type] / factor
        print(
            f"{batch_type!s:<20} {statuses.get(str(batch_type), '-'):<10} "
            f"{jobs.get(str(batch_type), 0):>5} {start:>8.1f} {spent:>8.1f} {ideal:>12.2f} "
            f"{spent - ideal:>7.1f}"
        )
    ideal_total = sum(path.values()) / factor
    print(
        f"cycle: {sum(jobs.values())} jobs, {result.run.dagster_runs} Dagster runs, "
        f"{result.run.ticks} driver ticks; wall {wall:.1f} s (driving {result.run.seconds:.1f} s) "
        f"vs mock critical path {ideal_total:.1f} s ({sum(path.values()):.0f} mock s); "
        f"{'COMPLETED' if result.ok else 'NOT completed'}"
    )
    met = result.ok and wall < GOAL_SECONDS
    print(f"goal: completed in < {GOAL_SECONDS:.0f} s: {'met' if met else 'NOT met'}")


def _sample_configuration() -> dict:
    import tempfile

    from irp_dagster.workbook import write_sample_workbook

    sample = write_sample_workbook(Path(tempfile.mkdtemp()) / "sample.xlsx")
    return validate_workbook(sample).configuration


if __name__ == "__main__":
    main()
