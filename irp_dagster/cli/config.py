"""``irp config``: validate a workbook, or load it as a cycle's configuration."""

from __future__ import annotations

import os
from pathlib import Path

import click

from irp_dagster.settings import Settings
from irp_dagster.workbook.cli import validate_command


def dagster_instance():
    """The Dagster instance of ``DAGSTER_HOME``, else a persistent one under ``IRP_HOME``."""
    import dagster as dg

    if not os.environ.get("DAGSTER_HOME"):
        home = (Settings().home / "dagster_home").resolve()
        home.mkdir(parents=True, exist_ok=True)
        os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


@click.group(help="Configuration workbooks.")
def config() -> None:
    pass


config.add_command(validate_command)


@config.command("load", help="Register PATH as CYCLE's workbook and materialize its configuration.")
@click.argument("cycle")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(cycle: str, path: Path) -> None:
    import dagster as dg

    from irp_dagster.definitions import defs
    from irp_dagster.defs.partitions import cycles
    from irp_dagster.persistence.db import cached_engine, upgrade
    from irp_dagster.services.configurations import register_workbook

    url = Settings().resolved_database_url()
    upgrade(url)
    register_workbook(cached_engine(url), cycle, path)
    instance = dagster_instance()
    if not instance.has_dynamic_partition(cycles.name, cycle):
        instance.add_dynamic_partitions(cycles.name, [cycle])
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        asset_selection=[dg.AssetKey("configuration")],
        partition_key=cycle,
        instance=instance,
        raise_on_error=False,
    )
    (check,) = result.get_asset_check_evaluations() or [None]
    if check is None:
        failures = [e.message for e in result.all_events if e.is_failure]
        raise click.ClickException(f"Loading failed: {failures[-1] if failures else 'unknown'}")
    click.echo(f"Cycle {cycle!r}: configuration {check.metadata['status'].value}")
    if not check.passed:
        click.echo(check.metadata["errors"].value)
        raise SystemExit(1)
