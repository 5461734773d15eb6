"""Shared selections over the configuration dict used by several transformers."""

from __future__ import annotations

from typing import Any


def metadata(configuration: dict[str, Any]) -> dict[str, Any]:
    return dict(configuration.get("metadata", {}))


def base_portfolios(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    """Portfolios rows flagged ``Base Portfolio? = Y``, in workbook order."""
    return [
        row
        for row in configuration.get("portfolios", [])
        if str(row.get("Base Portfolio?", "")).upper() == "Y"
    ]


def group_names(configuration: dict[str, Any]) -> set[str]:
    return {group["Group_Name"] for group in configuration.get("groupings", [])}


def major_version(version: Any) -> str:
    """'23.0.0' -> '23' (EDM data version for the upgrade call)."""
    return str(version).split(".")[0]


def major_minor_version(version: Any) -> str:
    """'23.0.0' -> '23.0' (geocode/hazard layer version)."""
    parts = str(version).split(".")
    return ".".join((parts + ["0"])[:2])


def import_file_names(meta: dict[str, Any], import_file: str) -> dict[str, str]:
    """The CSV names data extraction writes and MRI import uploads (prior-system §3)."""
    date = meta.get("Current Date Value", "")
    stem = f"Modeling_{date}_Moodys_{import_file}"
    return {
        "accounts_import_file": f"{stem}_Account.csv",
        "locations_import_file": f"{stem}_Location.csv",
    }
