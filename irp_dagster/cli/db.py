"""``irp db``: the domain database schema (Alembic migrations are the only way it is made)."""

from __future__ import annotations

import click

from irp_dagster.persistence.db import cached_engine, current_revision, head_revision, upgrade
from irp_dagster.settings import Settings


@click.group(help="Domain database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply the migrations up to head (idempotent).")
def db_upgrade() -> None:
    url = Settings().resolved_database_url()
    upgrade(url)
    click.echo(f"Domain database at revision {current_revision(cached_engine(url))}")


@db.command("current", help="Show the database revision and the code's head revision.")
def db_current() -> None:
    url = Settings().resolved_database_url()
    click.echo(f"database: {current_revision(cached_engine(url))}  head: {head_revision()}")
