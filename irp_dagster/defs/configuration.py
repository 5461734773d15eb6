"""The ``configuration`` asset: the cycle's workbook, validated and stored as a version.

Its blocking check ``workbook_valid`` fails with the error table when the workbook is invalid,
which stops every batch of the cycle from starting.
"""

import dagster as dg

from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.domain.statuses import ConfigurationStatus
from irp_dagster.moodys.references import MoodysReferenceChecker
from irp_dagster.services.configurations import load_configuration
from irp_dagster.settings import Settings

WORKBOOK_VALID = "workbook_valid"


@dg.asset(
    partitions_def=cycles,
    group_name="configuration",
    kinds={"excel"},
    check_specs=[dg.AssetCheckSpec(WORKBOOK_VALID, asset="configuration", blocking=True)],
)
def configuration(
    context: dg.AssetExecutionContext, database: DatabaseResource, moodys: MoodysResource
) -> dg.MaterializeResult:
    """The cycle's configuration workbook, validated and stored as the current version.

    With ``IRP_REFERENCE_CHECKS`` on (the default) the names the workbook refers to are looked
    up at Moody's once each; an unreachable Moody's is reported as a REF error of the workbook.
    """
    if Settings().reference_checks:
        with moodys.client() as client:
            loaded = load_configuration(
                database.engine(),
                context.partition_key,
                reference_checker=MoodysReferenceChecker(client),
            )
    else:
        loaded = load_configuration(database.engine(), context.partition_key)
    valid = loaded.status is not ConfigurationStatus.ERROR
    metadata: dict[str, dg.RawMetadataValue] = {
        "configuration_id": loaded.configuration_id,
        "version": loaded.version,
        "status": str(loaded.status),
    }
    check_metadata: dict[str, dg.RawMetadataValue] = {"status": str(loaded.status)}
    validation = loaded.validation
    if validation is not None:
        metadata |= {
            "file_name": validation.file_name,
            "content_hash": validation.content_hash,
            "rows_per_sheet": dg.MetadataValue.json(validation.counts),
            "validation_report": dg.MetadataValue.md(_report_markdown(validation.report)),
        }
        if not valid:
            check_metadata["errors"] = dg.MetadataValue.md(validation.errors_markdown())
            check_metadata["error_count"] = len(validation.errors)
    else:
        context.log.info("Workbook unchanged: configuration v%s is current", loaded.version)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name=WORKBOOK_VALID,
                passed=valid,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata=check_metadata,
            )
        ],
    )


def _report_markdown(report: dict[str, dict]) -> str:
    lines = ["| sheet | status | rows | errors |", "|---|---|---|---|"]
    lines += [
        f"| {sheet} | {r.get('status')} | {r.get('rows', '')} | {r.get('errors', 0)} |"
        for sheet, r in report.items()
    ]
    return "\n".join(lines)
