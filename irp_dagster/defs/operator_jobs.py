"""Operator actions as Dagster jobs: one op job per action with a typed config, so each has a
launchpad form in the UI and runs from ``dagster job launch`` and GraphQL.

Every job calls the same service function as the ``irp`` CLI (:mod:`irp_dagster.services.
operators`): a refused action fails the run with the reason and writes nothing. After an
action the touched batches are reconciled again and the ``<type>_results`` partition of the
cycle gets a fresh materialization (batch metadata and report) plus its ``batch_completed`` check
evaluation, so the asset page shows the new state at once and a batch that became COMPLETED lets
the next batch start. The actor is the run's ``dagster/user`` tag, else the ``actor`` field, else
the OS user of the run process.
"""

from collections.abc import Callable

import dagster as dg
from pydantic import Field
from sqlalchemy import Engine

from irp_dagster.defs.batch_assets import (
    IMPLEMENTED,
    batch_key,
    recon_events,
    results_key,
)
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch
from irp_dagster.services import operators as ops
from irp_dagster.services.batch_report import batch_report
from irp_dagster.services.operators import ActionResult, OperatorActionError
from irp_dagster.services.recon import ReconOutcome

OPERATOR_TAGS = {"irp/kind": "operator_action"}
#: Operator runs leave the run queue before batch runs (those have priorities -2 .. 2).
JOB_TAGS = {**OPERATOR_TAGS, "dagster/priority": "10"}
ACTOR_HELP = "Who acts (audit). The run's dagster/user tag wins; blank means the OS user."
REASON_HELP = "Why (kept in the audit trail)."


class ActorConfig(dg.Config):
    actor: str = Field(default="", description=ACTOR_HELP)


class JobTarget(ActorConfig):
    job_id: int = Field(description="Job id (see the batch metadata or `irp status`).")


class BatchTarget(ActorConfig):
    cycle: str = Field(description="Cycle (the partition key), e.g. 2026-Q1.")
    batch_type: str = Field(description="Batch type, e.g. edm_creation (the asset group name).")


class CancelJobConfig(JobTarget):
    reason: str = Field(default="", description=REASON_HELP)


class ResubmitJobConfig(JobTarget):
    reason: str = Field(default="", description=REASON_HELP + " Mandatory with an override.")
    override_json: str = Field(
        default="",
        description='JSON object merged over the job configuration data, e.g. {"Database": "X"}.',
    )
    submit_now: bool = Field(default=True, description="Submit at once (else the sensor does).")


class ReasonedJobConfig(JobTarget):
    reason: str = Field(description=REASON_HELP + " Mandatory.")


class SkipConfigurationConfig(ActorConfig):
    job_configuration_id: int = Field(description="Job configuration id.")
    reason: str = Field(description=REASON_HELP + " Mandatory.")


class BatchActionConfig(BatchTarget):
    reason: str = Field(default="", description=REASON_HELP)


class SubmittingBatchConfig(BatchActionConfig):
    submit_now: bool = Field(default=True, description="Submit at once (else the sensor does).")


class SetPriorityConfig(BatchActionConfig):
    priority: str = Field(
        description="Moody's job priority: verylow, low, medium, high or veryhigh (also the "
        "Dagster run priority of the batch's waiting runs: -2 .. 2)."
    )


class ArchiveCycleConfig(ActorConfig):
    cycle: str = Field(description="Cycle to archive (no batch may be open).")
    reason: str = Field(default="", description=REASON_HELP)


Action = Callable[[Engine, MoodysClient, dg.Config, str], ActionResult]


def actor_of(context: dg.OpExecutionContext, config: ActorConfig) -> str:
    return context.run.tags.get("dagster/user") or config.actor.strip() or ops.default_actor()


def _batch_id(engine: Engine, config: BatchTarget) -> int:
    with transaction(engine) as session:
        return ops.resolve_batch_id(session, config.cycle, config.batch_type)


WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]
AssetEvent = dg.AssetMaterialization | dg.AssetCheckEvaluation


def batch_state_events(
    engine: Engine, outcome: ReconOutcome, result: ActionResult
) -> list[AssetEvent]:
    """The batch's results-partition materialization and ``batch_completed`` check evaluation."""
    with transaction(engine) as session:
        batch_type = session.get(Batch, outcome.batch_id).batch_type
    if batch_type not in IMPLEMENTED or result.cycle is None:
        return []
    return recon_events(
        engine,
        outcome.batch_id,
        batch_type,
        result.cycle,
        outcome.status,
        outcome.summary,
        metadata={
            "operator_action": f"{result.action} (audit {result.audit_id})",
            "batch_report": dg.MetadataValue.md(batch_report(engine, outcome.batch_id)),
        },
    )


def refresh_batches(
    engine: Engine,
    result: ActionResult,
    client: MoodysClient | None,
    emit: Callable[[AssetEvent], None],
) -> list[ReconOutcome]:
    """Reconcile the batches an action touched and emit their new state as asset events."""
    outcomes = ops.reconcile_after(engine, result, client)
    for outcome in outcomes:
        for event in batch_state_events(engine, outcome, result):
            emit(event)
    return outcomes


def _apply_run_priority(context: dg.OpExecutionContext, cycle: str, batch_type: str, level: str):
    """Give the batch's runs of this cycle waiting to start the ``dagster/priority`` tag (the
    run queue reads it when it dequeues them)."""
    keys = {batch_key(batch_type), results_key(batch_type)}
    records = context.instance.get_run_records(
        filters=dg.RunsFilter(statuses=WAITING, tags={"dagster/partition": cycle})
    )
    retagged = []
    for record in records:
        run = record.dagster_run
        if run.tags.get("irp/batch_type") == batch_type or keys & set(run.asset_selection or ()):
            context.instance.add_run_tags(
                run.run_id, {"dagster/priority": str(ops.dagster_priority(level))}
            )
            retagged.append(run.run_id)
    if retagged:
        context.log.info("dagster/priority for %s set on waiting runs %s", level, retagged)


def _operator_job(
    name: str, config_cls: type[dg.Config], act: Action, doc: str
) -> dg.JobDefinition:
    @dg.op(name=f"{name}_op", description=doc, tags=OPERATOR_TAGS)
    def _op(
        context: dg.OpExecutionContext,
        config: config_cls,
        database: DatabaseResource,
        moodys: MoodysResource,
    ) -> None:
        engine = database.engine()
        actor = actor_of(context, config)
        with moodys.client() as client:
            try:
                result = act(engine, client, config, actor)
            except OperatorActionError as refusal:
                raise dg.Failure(description=f"Refused: {refusal}", allow_retries=False) from None
            context.log.info("%s by %s: %s", name, actor, result.message)
            tags = {"irp/action": result.action, "irp/audit_id": str(result.audit_id)}
            if result.cycle:
                tags["irp/cycle"] = result.cycle
            context.instance.add_run_tags(context.run_id, tags)
            if isinstance(config, SetPriorityConfig):
                batch_type, level = (
                    config.batch_type.strip().lower(),
                    config.priority.strip().lower(),
                )
                _apply_run_priority(context, config.cycle, batch_type, level)
            for outcome in refresh_batches(engine, result, client, context.log_event):
                context.log.info("Batch %s reconciled: %s", outcome.batch_id, outcome.status)

    @dg.job(name=name, description=doc, tags=JOB_TAGS)
    def _job() -> None:
        _op()

    return _job


operator_cancel_job = _operator_job(
    "operator_cancel_job",
    CancelJobConfig,
    lambda e, c, cfg, who: ops.cancel_job(e, c, cfg.job_id, actor=who, reason=cfg.reason),
    "Cancel one job (at Moody's if it is there; INITIATED jobs at once).",
)
operator_cancel_batch = _operator_job(
    "operator_cancel_batch",
    BatchActionConfig,
    lambda e, c, cfg, who: ops.cancel_batch(e, c, _batch_id(e, cfg), actor=who, reason=cfg.reason),
    "Cancel every unfinished job of a batch; nothing more is submitted from it.",
)
operator_resubmit_job = _operator_job(
    "operator_resubmit_job",
    ResubmitJobConfig,
    lambda e, c, cfg, who: ops.resubmit_job(
        e,
        cfg.job_id,
        actor=who,
        reason=cfg.reason,
        override=ops.parse_override(cfg.override_json),
        client=c if cfg.submit_now else None,
    ),
    "Resubmit an ended job as a new job, optionally with overridden data (reason mandatory).",
)
operator_resubmit_failed = _operator_job(
    "operator_resubmit_failed",
    SubmittingBatchConfig,
    lambda e, c, cfg, who: ops.resubmit_failed(
        e, _batch_id(e, cfg), actor=who, reason=cfg.reason, client=c if cfg.submit_now else None
    ),
    "Resubmit every FAILED, ERROR or CANCELLED job of a batch.",
)
operator_skip_job = _operator_job(
    "operator_skip_job",
    ReasonedJobConfig,
    lambda e, c, cfg, who: ops.skip_job(e, cfg.job_id, actor=who, reason=cfg.reason),
    "Flag a job skipped (reason mandatory); its configuration may then await action.",
)
operator_skip_job_configuration = _operator_job(
    "operator_skip_job_configuration",
    SkipConfigurationConfig,
    lambda e, c, cfg, who: ops.skip_job_configuration(
        e, cfg.job_configuration_id, actor=who, reason=cfg.reason
    ),
    "Take a job configuration out of its batch (reason mandatory).",
)
operator_force_ok_job = _operator_job(
    "operator_force_ok_job",
    ReasonedJobConfig,
    lambda e, c, cfg, who: ops.force_ok_job(e, cfg.job_id, actor=who, reason=cfg.reason),
    "Accept a FAILED, ERROR or CANCELLED job as FORCED_OK (reason mandatory).",
)
operator_pause_batch = _operator_job(
    "operator_pause_batch",
    BatchActionConfig,
    lambda e, c, cfg, who: ops.pause_batch(e, _batch_id(e, cfg), actor=who, reason=cfg.reason),
    "Stop submitting a batch's waiting jobs (in-flight jobs are still tracked).",
)
operator_resume_batch = _operator_job(
    "operator_resume_batch",
    SubmittingBatchConfig,
    lambda e, c, cfg, who: ops.resume_batch(
        e, _batch_id(e, cfg), actor=who, reason=cfg.reason, client=c if cfg.submit_now else None
    ),
    "Let a PAUSED batch submit again.",
)
operator_set_priority = _operator_job(
    "operator_set_priority",
    SetPriorityConfig,
    lambda e, c, cfg, who: ops.set_priority(
        e, c, _batch_id(e, cfg), cfg.priority, actor=who, reason=cfg.reason
    ),
    "Set the Moody's priority of a batch's in-flight Platform jobs and its queued Dagster runs.",
)
operator_archive_cycle = _operator_job(
    "operator_archive_cycle",
    ArchiveCycleConfig,
    lambda e, c, cfg, who: ops.archive_cycle(e, cfg.cycle, actor=who, reason=cfg.reason),
    "Archive a cycle (refused while any of its batches is open).",
)

OPERATOR_JOBS = [
    operator_cancel_job,
    operator_cancel_batch,
    operator_resubmit_job,
    operator_resubmit_failed,
    operator_skip_job,
    operator_skip_job_configuration,
    operator_force_ok_job,
    operator_pause_batch,
    operator_resume_batch,
    operator_set_priority,
    operator_archive_cycle,
]
