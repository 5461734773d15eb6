"""The twelve batch types of a cycle, their order and how each is tracked at Moody's.

Pure data: the Dagster asset graph, the transformers and the submit handlers are all generated
from this table, so a new batch type is one entry here plus its transformer and handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BatchType(StrEnum):
    DATA_EXTRACTION = "data_extraction"
    EDM_CREATION = "edm_creation"
    PORTFOLIO_CREATION = "portfolio_creation"
    MRI_IMPORT = "mri_import"
    TREATY_CREATION = "treaty_creation"
    EDM_UPGRADE = "edm_upgrade"
    GEOHAZ = "geohaz"
    PORTFOLIO_MAPPING = "portfolio_mapping"
    ANALYSIS = "analysis"
    GROUPING = "grouping"
    GROUPING_ROLLUP = "grouping_rollup"
    RDM_EXPORT = "rdm_export"


class JobFamily(StrEnum):
    """How a submitted job is polled at Moody's."""

    SYNC = "sync"  # finishes inside the batch run; never polled
    PLATFORM = "platform"  # /platform/{api}/v1/jobs
    WORKFLOW = "workflow"  # /riskmodeler/v1/workflows
    DATABRIDGE = "databridge"  # /databridge/v1/jobs


@dataclass(frozen=True)
class BatchTypeSpec:
    batch_type: BatchType
    stage: str
    family: JobFamily
    platform_api: str | None = None  # riskdata, import, geohaz, model, grouping, export
    upstream: tuple[BatchType, ...] = ()
    # Downstream batch starts even when this one ends FAILED (prior system: analysis summary).
    chain_on_failed: bool = False

    @property
    def is_sync(self) -> bool:
        return self.family is JobFamily.SYNC


BT = BatchType
BATCH_TYPE_SPECS: dict[BatchType, BatchTypeSpec] = {
    spec.batch_type: spec
    for spec in (
        BatchTypeSpec(BT.DATA_EXTRACTION, "extraction", JobFamily.SYNC),
        BatchTypeSpec(BT.EDM_CREATION, "exposure", JobFamily.PLATFORM, "riskdata"),
        BatchTypeSpec(
            BT.PORTFOLIO_CREATION, "exposure", JobFamily.SYNC, upstream=(BT.EDM_CREATION,)
        ),
        BatchTypeSpec(
            BT.MRI_IMPORT,
            "exposure",
            JobFamily.PLATFORM,
            "import",
            upstream=(BT.PORTFOLIO_CREATION, BT.DATA_EXTRACTION),
        ),
        BatchTypeSpec(BT.TREATY_CREATION, "exposure", JobFamily.SYNC, upstream=(BT.MRI_IMPORT,)),
        BatchTypeSpec(
            BT.EDM_UPGRADE, "exposure", JobFamily.WORKFLOW, upstream=(BT.TREATY_CREATION,)
        ),
        BatchTypeSpec(BT.GEOHAZ, "exposure", JobFamily.PLATFORM, "geohaz", (BT.EDM_UPGRADE,)),
        BatchTypeSpec(BT.PORTFOLIO_MAPPING, "exposure", JobFamily.SYNC, upstream=(BT.GEOHAZ,)),
        BatchTypeSpec(
            BT.ANALYSIS, "analysis", JobFamily.PLATFORM, "model", (BT.PORTFOLIO_MAPPING,), True
        ),
        BatchTypeSpec(BT.GROUPING, "grouping", JobFamily.PLATFORM, "grouping", (BT.ANALYSIS,)),
        BatchTypeSpec(
            BT.GROUPING_ROLLUP, "grouping", JobFamily.PLATFORM, "grouping", (BT.GROUPING,), True
        ),
        BatchTypeSpec(
            BT.RDM_EXPORT, "export", JobFamily.PLATFORM, "export", (BT.GROUPING_ROLLUP,), True
        ),
    )
}
