"""Dagster resources: the domain database and the Moody's API client.

Both are bound once in :mod:`irp_dagster.definitions` from ``IRP_*`` environment variables via
``dagster.EnvVar``, so secrets never appear in run config, metadata or logs.
"""

import dagster as dg
from pydantic import Field
from sqlalchemy import Engine

from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import ready_engine
from irp_dagster.settings import Settings


class DatabaseResource(dg.ConfigurableResource):
    """The domain database; ``url`` unset means the embedded SQLite file under ``IRP_HOME``."""

    url: str | None = Field(default=None, description="SQLAlchemy URL (from IRP_DATABASE_URL)")

    def engine(self) -> Engine:
        """The database, its schema at head: the embedded default is migrated on first use."""
        if self.url:
            return ready_engine(self.url, migrate=False)
        return ready_engine(Settings().resolved_database_url(), migrate=True)


class MoodysResource(dg.ConfigurableResource):
    """The Moody's Risk Modeler API (or the local mock: only the base URL differs).

    A field left unset is read from the ``IRP_MOODYS_*`` settings when a client is made.
    """

    base_url: str | None = Field(default=None, description="e.g. https://api-euw1.rms.com")
    api_key: str | None = Field(default=None, description="raw API key, sent as Authorization")
    resource_group_id: str | None = None
    timeout_seconds: float | None = None
    max_retries: int | None = None
    backoff_max_seconds: float = 120.0

    def client(self) -> MoodysClient:
        settings = Settings()
        return MoodysClient(
            self.base_url or settings.moodys_base_url,
            self.api_key or settings.moodys_api_key.get_secret_value(),
            self.resource_group_id or settings.moodys_resource_group_id,
            timeout_seconds=self.timeout_seconds or settings.moodys_timeout_seconds,
            max_retries=settings.moodys_max_retries
            if self.max_retries is None
            else self.max_retries,
            backoff_max_seconds=self.backoff_max_seconds,
        )


def _secret_env(name: str) -> dg.EnvVar | None:
    """``EnvVar(name)`` when the environment has it (deployment), else read at use time."""
    import os

    return dg.EnvVar(name) if name in os.environ else None


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources bound to the environment; unset values fall back to the embedded defaults."""
    return {
        "database": DatabaseResource(url=_secret_env("IRP_DATABASE_URL")),
        "moodys": MoodysResource(api_key=_secret_env("IRP_MOODYS_API_KEY")),
    }
