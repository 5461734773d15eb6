"""Treaties, analyses, groupings, rollups and the RDM export (prior-system §3)."""

from __future__ import annotations

from typing import Any

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.transformers import JobSpec, source_row, transformer
from irp_dagster.domain.transformers._common import group_names, metadata

TREATY_COLUMNS = tuple(f"Reinsurance Treaty {i}" for i in range(1, 6))
TAG_COLUMNS = tuple(f"Tag {i}" for i in range(1, 6))


def _filled(row: dict[str, Any], columns: tuple[str, ...]) -> list[str]:
    return [str(row[c]) for c in columns if row.get(c) not in (None, "")]


@transformer(BatchType.TREATY_CREATION)
def treaty_creation(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per distinct (treaty, EDM) pair named in the Analysis Table, sorted."""
    meta = metadata(configuration)
    treaties = {t["Treaty Name"]: t for t in configuration.get("reinsurance_treaties", [])}
    pairs = sorted(
        {
            (treaty, row["Database"])
            for row in configuration.get("analysis_table", [])
            for treaty in _filled(row, TREATY_COLUMNS)
        }
    )
    return [
        JobSpec(
            key=f"{treaty}@{database}",
            data={"metadata": meta, **source_row(treaties[treaty]), "Database": database},
        )
        for treaty, database in pairs
        if treaty in treaties
    ]


@transformer(BatchType.ANALYSIS)
def analysis(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per Analysis Table row, with its treaties and tags as lists."""
    meta = metadata(configuration)
    return [
        JobSpec(
            key=row["Analysis Name"],
            data={
                "metadata": meta,
                **source_row(row),
                "treaties": _filled(row, TREATY_COLUMNS),
                "tags": _filled(row, TAG_COLUMNS),
            },
        )
        for row in configuration.get("analysis_table", [])
    ]


def _groups(configuration: dict[str, Any], *, rollup: bool) -> list[JobSpec]:
    meta = metadata(configuration)
    names = group_names(configuration)
    edm_of = {
        row["Analysis Name"]: row["Database"] for row in configuration.get("analysis_table", [])
    }
    specs = []
    for group in configuration.get("groupings", []):
        items = [str(item) for item in group.get("items", [])]
        nested = [item for item in items if item in names]
        if bool(nested) != rollup:
            continue
        specs.append(
            JobSpec(
                key=group["Group_Name"],
                data={
                    "metadata": meta,
                    "Group_Name": group["Group_Name"],
                    "items": items,
                    "group_names": nested,
                    "analysis_edm_map": {i: edm_of[i] for i in items if i in edm_of},
                },
            )
        )
    return specs


@transformer(BatchType.GROUPING)
def grouping(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per group whose items are analyses only (no nested groups)."""
    return _groups(configuration, rollup=False)


@transformer(BatchType.GROUPING_ROLLUP)
def grouping_rollup(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per group with at least one group among its items."""
    return _groups(configuration, rollup=True)


@transformer(BatchType.RDM_EXPORT)
def rdm_export(configuration: dict[str, Any]) -> list[JobSpec]:
    """One job per analysis, then per group, into the RDM; the first job is the seed that
    creates the RDM database. No Metadata (prior-system §3)."""
    meta = metadata(configuration)
    rdm_name = meta.get("Export RDM Name")
    if not rdm_name:
        return []
    edm_of = {
        row["Analysis Name"]: row["Database"] for row in configuration.get("analysis_table", [])
    }
    items = [(name, False) for name in edm_of] + [
        (group["Group_Name"], True) for group in configuration.get("groupings", [])
    ]
    return [
        JobSpec(
            key=name,
            data={
                "rdm_name": rdm_name,
                "server_name": "databridge-1",
                "analysis_names": [name],
                "is_seed_job": index == 0,
                "is_group": is_group,
                "edm_name": edm_of.get(name),
            },
        )
        for index, (name, is_group) in enumerate(items)
    ]
