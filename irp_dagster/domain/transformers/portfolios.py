"""Per-base-portfolio batch types: data extraction, portfolio creation, MRI import, GeoHaz and
portfolio mapping each make one job per base portfolio (prior-system §3)."""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.transformers import JobSpec, source_row, transformer
from irp_dagster.domain.transformers._common import (
    base_portfolios,
    import_file_names,
    major_minor_version,
    metadata,
)


def _per_base_portfolio(configuration: dict[str, Any], **extra_for) -> list[JobSpec]:
    meta = metadata(configuration)
    specs = []
    for row in base_portfolios(configuration):
        data = {"metadata": meta, **source_row(row)}
        for make in extra_for.values():
            data |= make(meta, row)
        specs.append(JobSpec(key=row["Portfolio"], data=data))
    return specs


def _files(meta: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    return import_file_names(meta, row["Import File"])


@transformer(BatchType.DATA_EXTRACTION)
def data_extraction(configuration: dict[str, Any]) -> list[JobSpec]:
    def cycle_values(meta: dict[str, Any], _row: dict[str, Any]) -> dict[str, Any]:
        return {
            "date_value": meta.get("Current Date Value"),
            "cycle_type": meta.get("Cycle Type"),
        }

    return _per_base_portfolio(configuration, files=_files, cycle=cycle_values)


@transformer(BatchType.PORTFOLIO_CREATION)
def portfolio_creation(configuration: dict[str, Any]) -> list[JobSpec]:
    return _per_base_portfolio(configuration)


@transformer(BatchType.MRI_IMPORT)
def mri_import(configuration: dict[str, Any]) -> list[JobSpec]:
    return _per_base_portfolio(configuration, files=_files)


@transformer(BatchType.GEOHAZ)
def geohaz(configuration: dict[str, Any]) -> list[JobSpec]:
    def versions(meta: dict[str, Any], _row: dict[str, Any]) -> dict[str, Any]:
        return {
            "geocode_version": major_minor_version(meta.get("Geocode Version")),
            "hazard_version": major_minor_version(meta.get("Hazard Version")),
        }

    return _per_base_portfolio(configuration, versions=versions)


@transformer(BatchType.PORTFOLIO_MAPPING)
def portfolio_mapping(configuration: dict[str, Any]) -> list[JobSpec]:
    return _per_base_portfolio(configuration)
