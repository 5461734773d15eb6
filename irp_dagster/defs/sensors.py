"""``moodys_job_sensor``: one bulk poll of every in-flight job per tick, then reconciliation.

Each tick (1) polls all in-flight jobs through the bulk endpoints (no run per job or per poll;
timeouts per batch type, HTTP retries recorded), (2) tops up batches whose throttled jobs may
now go to Moody's (free slots under the batch type's throttle, no run submitting that batch,
at most ``TOP_UP_PER_TICK`` jobs per tick), and (3) requests the ``<type>_results`` partition of
every batch whose live jobs are all terminal, with a run key made of the batch's state so
reconciliation fires once per state. SUBMITTING jobs are left to their run or, if it died, to
the recovery sweep (:mod:`irp_dagster.defs.schedules`).
"""

import dagster as dg
from sqlalchemy import Engine

from irp_dagster.defs.batch_assets import IMPLEMENTED, batch_key, results_key
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.repository import batches_ready_for_recon, batches_waiting_to_submit
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.operators import batch_priorities, dagster_priority
from irp_dagster.services.polling import poll_in_flight, poll_limits
from irp_dagster.settings import Settings

POLL_INTERVAL_SECONDS = 30
#: Submissions per tick at most, so that a tick stays well inside the 60 s evaluation timeout.
TOP_UP_PER_TICK = 50
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
#: Op jobs that never submit to Moody's (any other running op job may: top-ups wait for it).
NON_SUBMITTING_JOBS = frozenset(
    {
        "cycle_summary",
        "operator_cancel_job",
        "operator_cancel_batch",
        "operator_skip_job",
        "operator_skip_job_configuration",
        "operator_force_ok_job",
        "operator_pause_batch",
        "operator_set_priority",
        "operator_archive_cycle",
    }
)


def _runs_submitting(instance: dg.DagsterInstance) -> tuple[bool, set[tuple[str, str]]]:
    """Whether some running op job may submit anything, and the (cycle, batch type) pairs whose
    ``<type>_batch`` asset is being materialized."""
    everything, busy = False, set()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        if run.asset_selection is None:
            everything = everything or run.job_name not in NON_SUBMITTING_JOBS
            continue
        cycle = run.tags.get("dagster/partition")
        busy |= {(cycle, str(t)) for t in IMPLEMENTED if batch_key(t) in run.asset_selection}
    return everything, busy


def recon_tags(batch_id: int, batch_type: str, priority: str | None) -> dict[str, str]:
    """Run tags of a batch's reconciliation; an operator's priority becomes the run priority."""
    tags = {"irp/batch_type": str(batch_type), "irp/batch_id": str(batch_id)}
    if priority is not None:
        tags["dagster/priority"] = str(dagster_priority(priority))
    return tags


def top_up(
    context: dg.SensorEvaluationContext, engine: Engine, client: MoodysClient, settings: Settings
) -> list[str]:
    """Submit waiting jobs of batches with free slots; returns what was done, for the log."""
    with transaction(engine) as session:
        waiting = [
            w
            for w in batches_waiting_to_submit(session)
            if w.batch_type in IMPLEMENTED
            and w.submitting == 0
            and w.initiated > 0
            and w.in_flight < settings.max_in_flight_for(w.batch_type)
        ]
    if not waiting:
        return []
    everything, busy = _runs_submitting(context.instance)
    notes, budget = [], TOP_UP_PER_TICK
    for batch in waiting:
        if everything or (batch.cycle, str(batch.batch_type)) in busy:
            notes.append(f"{batch.batch_type} of {batch.cycle} left to the run submitting it")
            continue
        if budget <= 0:
            break
        limit = min(settings.max_in_flight_for(batch.batch_type), batch.in_flight + budget)
        try:
            report = submit_batch(
                engine, client, batch.cycle, batch.batch_type, max_in_flight=limit
            )
        except Exception as error:  # noqa: BLE001 - one batch must not stop the others
            context.log.exception("Top-up of batch %s failed", batch.batch_id)
            notes.append(f"top-up of batch {batch.batch_id} failed: {error}")
            continue
        budget -= len(report.submitted)
        if report.submitted:
            notes.append(f"submitted {len(report.submitted)} {batch.batch_type} job(s)")
    return notes


@dg.sensor(
    name="moodys_job_sensor",
    minimum_interval_seconds=POLL_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=dg.AssetSelection.assets(*(results_key(t) for t in IMPLEMENTED)),
    description="Polls every in-flight Moody's job in bulk and requests batch reconciliation.",
)
def moodys_job_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource, moodys: MoodysResource
) -> dg.SensorResult:
    engine = database.engine()
    settings = Settings()
    with moodys.client() as client:
        report = poll_in_flight(engine, client, max_poll_hours=poll_limits(settings))
        notes = [report.summary()]
        if report.unknown_statuses:
            context.log.warning("Unknown Moody's statuses: %s", report.unknown_statuses)
        if report.error:
            context.log.error("Polling stopped early: %s", report.error)
        else:
            notes += top_up(context, engine, client, settings)
    with transaction(engine) as session:
        ready = [r for r in batches_ready_for_recon(session) if r[1] in IMPLEMENTED]
        priorities = batch_priorities(session, [batch_id for batch_id, *_ in ready])
    requests = [
        dg.RunRequest(
            run_key=f"recon:{batch_id}:{state}",
            partition_key=cycle,
            asset_selection=[results_key(batch_type)],
            tags=recon_tags(batch_id, batch_type, priorities.get(batch_id)),
        )
        for batch_id, batch_type, cycle, state in ready
    ]
    summary = "; ".join(notes)
    context.log.info("%s; %d batch(es) ready for recon", summary, len(requests))
    if not requests:
        return dg.SensorResult(skip_reason=summary)
    return dg.SensorResult(run_requests=requests)
