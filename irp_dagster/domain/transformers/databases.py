"""Per-database batch types: EDM creation and EDM data-version upgrade."""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.transformers import JobSpec, source_row, transformer
from irp_dagster.domain.transformers._common import major_version, metadata


@transformer(BatchType.EDM_CREATION)
def edm_creation(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per Databases row, carrying the Metadata plus the row."""
    meta = metadata(configuration)
    return [
        JobSpec(key=row["Database"], data={"metadata": meta, **source_row(row)})
        for row in configuration.get("databases", [])
    ]


@transformer(BatchType.EDM_UPGRADE)
def edm_upgrade(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per Databases row with the target data version ('23.0.0' -> '23')."""
    meta = metadata(configuration)
    target = major_version(meta.get("EDM Data Version"))
    return [
        JobSpec(
            key=row["Database"],
            data={"metadata": meta, **source_row(row), "target_edm_version": target},
        )
        for row in configuration.get("databases", [])
    ]
