"""Process settings, read once from ``IRP_*`` environment variables (pydantic-settings).

Everything has an embedded default so that a fresh clone runs with nothing installed: the
domain database is a SQLite file under ``IRP_HOME`` and Moody's is the local mock.
Secrets (the API key, database passwords inside URLs) are ``SecretStr`` so they never print.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Exposure-stage jobs take minutes to a few hours at Moody's; analyses, groupings and exports of
#: a large book may take days, so they keep the general ``max_poll_hours``.
DEFAULT_MAX_POLL_HOURS_BY_TYPE: dict[str, float] = {
    "edm_creation": 12.0,
    "edm_upgrade": 12.0,
    "mri_import": 24.0,
    "geohaz": 24.0,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IRP_", extra="ignore", env_ignore_empty=True)

    home: Path = Field(default=Path(".irp"), description="Folder for embedded state (SQLite).")
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL of the domain database; SQLite file if unset."
    )
    moodys_base_url: str = "http://127.0.0.1:8001"
    moodys_api_key: SecretStr = SecretStr("local-dev-key")
    moodys_resource_group_id: str = "00000000-0000-4000-8000-000000000001"
    moodys_timeout_seconds: float = 30.0
    moodys_max_retries: int = 5
    workbook_dir: Path | None = None
    reference_checks: bool = Field(
        default=True,
        description="Check the workbook's profiles, schemes, EDMs and RDM against Moody's.",
    )
    source_database_url: SecretStr | None = Field(
        default=None, description="Customer source database for data extraction SQL files."
    )
    sql_dir: Path | None = Field(
        default=None, description="Folder of the SQL files (import_files/, portfolio_mapping/)."
    )
    databridge_database_url: SecretStr | None = Field(
        default=None, description="Data Bridge SQL Server for the portfolio mapping SQL files."
    )
    max_in_flight_per_batch: int = Field(
        default=500, description="Throttle: jobs of one batch at Moody's at once."
    )
    max_in_flight_by_type: dict[str, int] = Field(
        default_factory=dict,
        description='Throttle per batch type, e.g. {"analysis": 50}; else max_in_flight_per_batch.',
    )
    max_poll_hours: float = Field(
        default=72.0, description="A job still running after this long is cancelled (TIMEOUT)."
    )
    max_poll_hours_by_type: dict[str, float] = Field(
        default_factory=dict,
        description='Maximum poll duration per batch type, e.g. {"geohaz": 12}, on top of '
        "DEFAULT_MAX_POLL_HOURS_BY_TYPE; other types use max_poll_hours.",
    )

    def max_in_flight_for(self, batch_type: str) -> int:
        """The throttle of one batch type: its jobs at Moody's at once, per cycle."""
        return self.max_in_flight_by_type.get(str(batch_type), self.max_in_flight_per_batch)

    def max_poll_hours_for(self, batch_type: str) -> float:
        """How long a job of this batch type may stay in flight before it is timed out."""
        key = str(batch_type)
        if key in self.max_poll_hours_by_type:
            return self.max_poll_hours_by_type[key]
        return DEFAULT_MAX_POLL_HOURS_BY_TYPE.get(key, self.max_poll_hours)

    def resolved_database_url(self) -> str:
        """The domain database URL, defaulting to a SQLite file under ``home``."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.home / 'irp.sqlite').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
