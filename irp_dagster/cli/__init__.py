"""The ``irp`` command line: database, workbooks, the demo cycle and operations."""

from __future__ import annotations

import click

from irp_dagster.cli.config import config
from irp_dagster.cli.db import db
from irp_dagster.cli.demo import demo
from irp_dagster.cli.operators import register as register_operator_commands
from irp_dagster.ops.cli import doctor, metrics
from irp_dagster.ops.logging import configure_logging
from irp_dagster.workbook.cli import sample_workbook_command


@click.group(help="irp-dagster: run catastrophe-risk modelling cycles on Moody's IRP.")
def main() -> None:
    configure_logging()


main.add_command(config)
main.add_command(db)
main.add_command(demo)
main.add_command(doctor)
main.add_command(metrics)
main.add_command(sample_workbook_command)
register_operator_commands(main)
