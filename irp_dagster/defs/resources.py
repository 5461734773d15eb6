"""Dagster resources: the domain database and the Moody's API client.

Both are bound once in :mod:`irp_dagster.definitions` from ``IRP_*`` environment variables via
``dagster.EnvVar``, so secrets never appear in run config, metadata or logs.
"""

import dagster as dg
from pydantic import Field
from sqlalchemy import Engine

from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import cached_engine
from irp_dagster.settings import Settings


class DatabaseResource(dg.ConfigurableResource):
    """The domain database; ``url`` unset means the embedded SQLite file under ``IRP_HOME``."""

    url: str | None = Field(default=None, description="SQLAlchemy URL (from IRP_DATABASE_URL)")

    def engine(self) -> Engine:
        return cached_engine(self.url or Settings().resolved_database_url())


class MoodysResource(dg.ConfigurableResource):
    """The Moody's Risk Modeler API (or the local mock: only the base URL differs)."""

    base_url: str = Field(description="e.g. https://api-euw1.rms.com")
    api_key: str = Field(description="raw API key, sent as Authorization")
    resource_group_id: str
    timeout_seconds: float = 30.0
    max_retries: int = 5
    backoff_max_seconds: float = 120.0

    def client(self) -> MoodysClient:
        return MoodysClient(
            self.base_url,
            self.api_key,
            self.resource_group_id,
            timeout_seconds=self.timeout_seconds,
            max_retries=self.max_retries,
            backoff_max_seconds=self.backoff_max_seconds,
        )


def _env_or_default(name: str, default: str) -> str | dg.EnvVar:
    import os

    return dg.EnvVar(name) if name in os.environ else default


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources bound to the environment, falling back to the embedded defaults."""
    import os

    settings = Settings()
    return {
        "database": DatabaseResource(
            url=dg.EnvVar("IRP_DATABASE_URL") if "IRP_DATABASE_URL" in os.environ else None
        ),
        "moodys": MoodysResource(
            base_url=_env_or_default("IRP_MOODYS_BASE_URL", settings.moodys_base_url),
            api_key=_env_or_default(
                "IRP_MOODYS_API_KEY", settings.moodys_api_key.get_secret_value()
            ),
            resource_group_id=_env_or_default(
                "IRP_MOODYS_RESOURCE_GROUP_ID", settings.moodys_resource_group_id
            ),
        ),
    }
