"""``irp demo``: the demo cycle end to end on the embedded defaults."""

from __future__ import annotations

from pathlib import Path

import click

from irp_dagster.demo import run_demo, summary_rows


@click.command(help="Run the demo cycle end to end against the local mock Moody's.")
@click.option("--workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--keep", is_flag=True, help="Keep the temporary home to inspect in dagster dev.")
@click.option("--clock-factor", default=600.0, show_default=True, help="Mock seconds per second.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds before giving up.")
def demo(workbook: Path | None, keep: bool, clock_factor: float, timeout: float) -> None:
    rows: list = []

    def echo(line: str) -> None:
        click.echo(line)

    result = run_demo(
        workbook=workbook, keep=True, clock_factor=clock_factor, timeout_seconds=timeout, echo=echo
    )
    try:
        from irp_dagster.persistence.db import cached_engine

        rows = summary_rows(cached_engine(f"sqlite:///{result.home / 'irp.sqlite'}"))
    finally:
        if not keep:
            import shutil

            shutil.rmtree(result.home, ignore_errors=True)
    click.echo("")
    click.echo(f"{'batch':<20} {'job configuration':<40} {'status':<10} {'Moodys id':<12} outcome")
    for batch_type, key, status, moodys_id, outcome in rows:
        click.echo(f"{batch_type:<20} {key:<40} {status:<10} {moodys_id or '':<12} {outcome or ''}")
    click.echo("")
    for batch_type, status in result.batch_statuses.items():
        click.echo(f"batch {batch_type}: {status}")
    click.echo(f"Dagster runs: {result.dagster_runs}")
    if keep:
        click.echo(
            f"Kept {result.home}. Inspect with:\n  DAGSTER_HOME={result.home / 'dagster_home'} "
            f"IRP_DATABASE_URL=sqlite:///{result.home / 'irp.sqlite'} uv run dagster dev"
        )
    if not result.ok:
        raise SystemExit(1)
