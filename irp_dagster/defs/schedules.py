"""Operations schedules: the recovery sweep (every 15 minutes) and the daily cycle summary.

``recovery_sweep`` re-sends stuck submissions, polls jobs the sensor has not polled for too long
and reconciles batches whose recon is stale, logging each such recon as a materialization (and
``batch_completed`` check evaluation) of the batch's ``<type>_results`` partition. The logic is in
:mod:`irp_dagster.services.sweep`. ``cycle_summary`` reports per active cycle its batches by
status, job counts and failures, as run output metadata and in the run log.
"""

from datetime import timedelta

import dagster as dg
from sqlalchemy import Engine

from irp_dagster.defs.batch_assets import IMPLEMENTED, recon_events
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.defs.sensors import IN_PROGRESS
from irp_dagster.services.reports import cycle_summaries
from irp_dagster.services.sweep import Reconciled, sweep
from irp_dagster.settings import Settings

SWEEP_JOB = "recovery_sweep"
SUMMARY_JOB = "cycle_summary"


class SweepConfig(dg.Config):
    submitting_stuck_minutes: float = 15.0
    unpolled_minutes: float = 10.0
    stale_recon_minutes: float = 10.0


def _log_recon(context: dg.OpExecutionContext, engine: Engine, done: Reconciled) -> None:
    for event in recon_events(
        engine,
        done.batch_id,
        done.batch_type,
        done.cycle,
        done.status,
        done.summary,
        metadata={"reconciled_by": SWEEP_JOB},
        description="Reconciled by the recovery sweep",
    ):
        context.log_event(event)


@dg.op(out=dg.Out(dg.Nothing), description="Recover stuck submissions, stale polls and recons.")
def recovery_sweep_op(
    context: dg.OpExecutionContext,
    config: SweepConfig,
    database: DatabaseResource,
    moodys: MoodysResource,
) -> None:
    engine = database.engine()
    with moodys.client() as client:
        report = sweep(
            engine,
            client,
            Settings(),
            submitting_after=timedelta(minutes=config.submitting_stuck_minutes),
            unpolled_after=timedelta(minutes=config.unpolled_minutes),
            recon_after=timedelta(minutes=config.stale_recon_minutes),
        )
    for done in report.reconciled:
        if done.batch_type in IMPLEMENTED:
            _log_recon(context, engine, done)
    for error in report.errors:
        context.log.error(error)
    context.log.info(report.summary())
    context.add_output_metadata(
        {
            "summary": report.summary(),
            "resubmitted_jobs": sum(len(jobs) for jobs in report.resubmitted.values()),
            "polled_jobs": report.poll.polled if report.poll else 0,
            "reconciled_batches": [d.batch_id for d in report.reconciled],
            "errors": report.errors,
        }
    )


@dg.op(out=dg.Out(dg.Nothing), description="Batches, jobs and failures of every active cycle.")
def cycle_summary_op(context: dg.OpExecutionContext, database: DatabaseResource) -> None:
    summaries = cycle_summaries(database.engine())
    metadata: dict[str, object] = {"active_cycles": len(summaries)}
    for summary in summaries:
        text = summary.markdown()
        context.log.info(text)
        metadata[f"cycle {summary.cycle}"] = dg.MetadataValue.md(text)
    context.add_output_metadata(metadata)


@dg.job(name=SWEEP_JOB, executor_def=dg.in_process_executor, tags={"dagster/priority": "5"})
def recovery_sweep() -> None:
    recovery_sweep_op()


@dg.job(name=SUMMARY_JOB, executor_def=dg.in_process_executor)
def cycle_summary() -> None:
    cycle_summary_op()


def _no_sweep_running(context: dg.ScheduleEvaluationContext) -> bool:
    running = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=SWEEP_JOB, statuses=IN_PROGRESS), limit=1
    )
    return not running


recovery_sweep_schedule = dg.ScheduleDefinition(
    name="recovery_sweep_schedule",
    job=recovery_sweep,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    should_execute=_no_sweep_running,
    description="Every 15 minutes: re-send stuck submissions, poll stale jobs, stale recons.",
)

cycle_summary_schedule = dg.ScheduleDefinition(
    name="daily_cycle_summary",
    job=cycle_summary,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily at 06:00 UTC: batches by status, job counts and failures per cycle.",
)
