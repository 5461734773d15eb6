"""A pair of cycle-partitioned assets per batch type, built from the batch-type registry.

``<type>_batch`` creates the batch's jobs from the configuration and submits them (and returns:
no polling inside a run); ``<type>_results`` collects each finished job's outcome and reconciles
the batch. The polling sensor requests ``<type>_results`` when the batch's jobs are all terminal.
"""

from typing import Any

import dagster as dg
from sqlalchemy import Engine

from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.domain import transformers
from irp_dagster.domain.batch_types import BATCH_TYPE_SPECS, BatchType, BatchTypeSpec
from irp_dagster.domain.statuses import BatchStatus
from irp_dagster.services import handlers
from irp_dagster.services.batches import find_batch_id, submit_batch
from irp_dagster.services.recon import collect_results, reconcile_batch
from irp_dagster.services.reports import batch_metadata
from irp_dagster.settings import Settings


def _implemented() -> tuple[BatchType, ...]:
    """Batch types with both a transformer and a submit handler, in cycle order."""
    transformers.load_all()
    handlers.load_all()
    return tuple(t for t in BatchType if t in transformers.TRANSFORMERS and t in handlers.HANDLERS)


IMPLEMENTED: tuple[BatchType, ...] = _implemented()


def batch_key(batch_type: BatchType) -> dg.AssetKey:
    return dg.AssetKey(f"{batch_type}_batch")


def results_key(batch_type: BatchType) -> dg.AssetKey:
    return dg.AssetKey(f"{batch_type}_results")


def _upstream(spec: BatchTypeSpec) -> list[dg.AssetKey]:
    keys = [results_key(t) for t in spec.upstream if t in IMPLEMENTED]
    return keys or [dg.AssetKey("configuration")]


BATCH_COMPLETED = "batch_completed"

#: A batch starts when its upstream partitions were updated and their blocking checks passed
#: (configuration valid; upstream batch COMPLETED), and nothing of it is running.
START_WHEN_UPSTREAM_DONE = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
)


def build_batch_assets(spec: BatchTypeSpec) -> list[dg.AssetsDefinition]:
    batch_type = spec.batch_type
    tags = {"irp/batch_type": str(batch_type)}
    check = dg.AssetCheckSpec(
        BATCH_COMPLETED,
        asset=results_key(batch_type),
        # Where the prior system chained on FAILED, a failure does not stop the next batch.
        blocking=not spec.chain_on_failed,
        description="The batch is COMPLETED: every live job configuration is fulfilled.",
    )

    @dg.asset(
        key=batch_key(batch_type),
        partitions_def=cycles,
        deps=_upstream(spec),
        group_name=spec.stage,
        kinds={"moodys"},
        pool="moodys_api",
        op_tags=tags,
        automation_condition=START_WHEN_UPSTREAM_DONE,
        description=f"Create and submit the {batch_type} jobs of the cycle.",
    )
    def _batch(
        context: dg.AssetExecutionContext, database: DatabaseResource, moodys: MoodysResource
    ) -> dg.MaterializeResult:
        engine = database.engine()
        with moodys.client() as client:
            report = submit_batch(
                engine,
                client,
                context.partition_key,
                batch_type,
                max_in_flight=Settings().max_in_flight_for(batch_type),
            )
        if report.errors:
            context.log.warning("Jobs in ERROR: %s", report.errors)
        return dg.MaterializeResult(
            metadata={
                "batch_id": report.batch_id,
                "created": report.created,
                "submitted_now": len(report.submitted),
                "submission_errors": len(report.errors),
                **batch_metadata(engine, report.batch_id, implemented=IMPLEMENTED),
            }
        )

    @dg.asset(
        key=results_key(batch_type),
        partitions_def=cycles,
        deps=[batch_key(batch_type)],
        group_name=spec.stage,
        kinds={"moodys"},
        op_tags=tags,
        check_specs=[check],
        description=f"Reconcile the {batch_type} batch and record each job's outcome.",
    )
    def _results(
        context: dg.AssetExecutionContext, database: DatabaseResource, moodys: MoodysResource
    ) -> dg.MaterializeResult:
        engine = database.engine()
        batch_id = find_batch_id(engine, context.partition_key, batch_type)
        if batch_id is None:
            raise dg.Failure(f"Cycle {context.partition_key!r} has no {batch_type} batch yet")
        with moodys.client() as client:
            collected = collect_results(engine, client, batch_id)
        outcome = reconcile_batch(engine, batch_id)
        context.log.info("Batch %s reconciled: %s", batch_id, outcome.status)
        metadata = batch_metadata(engine, batch_id, implemented=IMPLEMENTED)
        return dg.MaterializeResult(
            metadata={"batch_id": batch_id, "results_collected": collected, **metadata},
            check_results=[
                dg.AssetCheckResult(
                    check_name=BATCH_COMPLETED,
                    passed=outcome.status is BatchStatus.COMPLETED,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata=_check_metadata(outcome.status, outcome.summary),
                )
            ],
        )

    return [_batch, _results]


def _check_metadata(status: BatchStatus, summary: dict) -> dict[str, Any]:
    return {
        "batch_status": str(status),
        "unfulfilled_configs": summary["unfulfilled_configs"],
        "awaiting_action_configs": summary["awaiting_action_configs"],
    }


def recon_events(
    engine: Engine,
    batch_id: int,
    batch_type: BatchType,
    cycle: str,
    status: BatchStatus,
    summary: dict,
    *,
    metadata: dict[str, Any] | None = None,
    description: str | None = None,
) -> list[dg.AssetMaterialization | dg.AssetCheckEvaluation]:
    """What ``<type>_results`` would report for a batch reconciled outside it (by an operator
    action or the recovery sweep): its materialization and ``batch_completed`` evaluation."""
    key = results_key(batch_type)
    return [
        dg.AssetMaterialization(
            asset_key=key,
            partition=cycle,
            description=description,
            metadata={
                "batch_id": batch_id,
                **(metadata or {}),
                **batch_metadata(engine, batch_id, implemented=IMPLEMENTED),
            },
        ),
        dg.AssetCheckEvaluation(
            asset_key=key,
            check_name=BATCH_COMPLETED,
            passed=status is BatchStatus.COMPLETED,
            severity=dg.AssetCheckSeverity.ERROR,
            blocking=not BATCH_TYPE_SPECS[batch_type].chain_on_failed,
            partition=cycle,
            metadata=_check_metadata(status, summary),
        ),
    ]


batch_assets = [
    asset
    for batch_type in IMPLEMENTED
    for asset in build_batch_assets(BATCH_TYPE_SPECS[batch_type])
]


cycle_automation_sensor = dg.AutomationConditionSensorDefinition(
    "cycle_automation_sensor",
    target=dg.AssetSelection.assets(*(batch_key(t) for t in IMPLEMENTED)),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Starts each batch of a cycle once its upstream batch is COMPLETED.",
)
