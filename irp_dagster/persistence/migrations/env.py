"""Alembic environment: the URL comes from the caller (``alembic_config``) or the settings."""

from alembic import context

from irp_dagster.persistence.db import make_engine
from irp_dagster.persistence.models import Base
from irp_dagster.settings import get_settings

config = context.config
url = config.attributes.get("url") or get_settings().resolved_database_url()


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
