"""Click commands for workbooks; the ``irp`` CLI registers them (``irp config validate``,
``irp sample-workbook``). Neither touches a database nor Moody's."""

from __future__ import annotations

from pathlib import Path

import click

from irp_dagster.workbook.sample import write_sample_workbook
from irp_dagster.workbook.validate import validate_workbook


@click.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
def validate_command(path: Path) -> None:
    """Validate the configuration workbook at PATH; print its errors (exit 1 if any)."""
    result = validate_workbook(path)
    for sheet, report in result.report.items():
        click.echo(
            f"{sheet:<30} {report['status']:<8} rows={report['rows']:<5} errors={report['errors']}"
        )
    if result.ok:
        click.echo(f"{result.file_name}: VALID")
        return
    click.echo("")
    click.echo(result.errors_markdown())
    click.echo(f"\n{result.file_name}: {len(result.errors)} error(s)", err=True)
    raise SystemExit(1)


@click.command("sample-workbook")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def sample_workbook_command(path: Path) -> None:
    """Write the project's sample configuration workbook to PATH."""
    click.echo(f"Sample workbook written to {write_sample_workbook(path)}")


workbook_commands = [validate_command, sample_workbook_command]
