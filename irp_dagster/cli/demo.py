"""``irp demo``: the demo cycle end to end on the embedded defaults."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from irp_dagster.demo import DEFAULT_CLOCK_FACTOR, run_demo, summary_rows


@click.command(help="Run the demo cycle end to end against the local mock Moody's.")
@click.option("--workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--keep", is_flag=True, help="Keep the temporary home to inspect in dagster dev.")
@click.option(
    "--clock-factor", default=DEFAULT_CLOCK_FACTOR, show_default=True, help="Mock s per second."
)
@click.option("--timeout", default=300.0, show_default=True, help="Seconds before giving up.")
@click.option("--verbose", is_flag=True, help="Also list every job with its Moody's outcome.")
def demo(
    workbook: Path | None, keep: bool, clock_factor: float, timeout: float, verbose: bool
) -> None:
    result = run_demo(
        workbook=workbook,
        keep=True,
        clock_factor=clock_factor,
        timeout_seconds=timeout,
        echo=click.echo,
    )
    try:
        if verbose:
            from irp_dagster.persistence.db import cached_engine

            _job_table(summary_rows(cached_engine(f"sqlite:///{result.home / 'irp.sqlite'}")))
    finally:
        if not keep:
            shutil.rmtree(result.home, ignore_errors=True)
    run = result.run
    click.echo("")
    click.echo("Cycle summary")
    header = ("batch", "status", "jobs", "finished", "failed", "skipped")
    click.echo(f"{header[0]:<20} {header[1]:<10} " + " ".join(f"{h:>8}" for h in header[2:]))
    for s in run.summaries:
        counts = (s.jobs, s.finished, s.failed, s.skipped)
        click.echo(f"{s.batch_type:<20} {s.status:<10} " + " ".join(f"{n:>8}" for n in counts))
    total = sum(s.jobs for s in run.summaries)
    click.echo(
        f"{total} jobs in {len(run.summaries)} batches; {run.dagster_runs} Dagster runs; "
        f"{run.seconds:.1f} s"
    )
    if run.failed_runs:
        click.echo(f"Runs that failed: {run.failed_runs}")
    if keep:
        click.echo(
            f"Kept {result.home}. Inspect with:\n  DAGSTER_HOME={result.home / 'dagster_home'} "
            f"IRP_DATABASE_URL=sqlite:///{result.home / 'irp.sqlite'} uv run dagster dev"
        )
    click.echo("Cycle COMPLETED" if result.ok else "Cycle NOT completed")
    if not result.ok:
        raise SystemExit(1)


def _job_table(rows: list) -> None:
    click.echo("")
    click.echo(f"{'batch':<20} {'job configuration':<40} {'status':<10} {'Moodys id':<12} outcome")
    for batch_type, key, status, moodys_id, outcome in rows:
        click.echo(f"{batch_type:<20} {key:<40} {status:<10} {moodys_id or '':<12} {outcome or ''}")
