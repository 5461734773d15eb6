"""``moodys_job_sensor``: one bulk poll of every in-flight job per tick, then reconciliation.

Each tick (1) polls all in-flight jobs through the bulk endpoints (no run per job or per poll),
(2) tops up batches whose throttled or deferred jobs may now go to Moody's, and (3) requests the
``<type>_results`` partition of every batch whose live jobs are all terminal, with a run key
made of the batch's state so reconciliation fires once per state.
"""

import dagster as dg

from irp_dagster.defs.batch_assets import IMPLEMENTED, results_key
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.moodys.errors import MoodysError
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.repository import batches_ready_for_recon, batches_with_waiting_jobs
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.polling import poll_in_flight
from irp_dagster.settings import Settings

POLL_INTERVAL_SECONDS = 30


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
    notes: list[str] = []
    try:
        with moodys.client() as client:
            report = poll_in_flight(engine, client, max_poll_hours=settings.max_poll_hours)
            notes.append(
                f"polled {report.polled}, changed {report.changed}, finished {report.finished}, "
                f"lost {len(report.lost)}, timed out {len(report.timed_out)}, "
                f"not ready {report.not_ready}"
            )
            if report.unknown_statuses:
                context.log.warning("Unknown Moody's statuses: %s", report.unknown_statuses)
            with transaction(engine) as session:
                waiting = batches_with_waiting_jobs(session)
            for _batch_id, batch_type, cycle in waiting:
                if batch_type in IMPLEMENTED:
                    topped = submit_batch(
                        engine,
                        client,
                        cycle,
                        batch_type,
                        max_in_flight=settings.max_in_flight_per_batch,
                    )
                    if topped.submitted:
                        notes.append(f"submitted {len(topped.submitted)} {batch_type} job(s)")
    except MoodysError as error:
        notes.append(f"Moody's call failed: {error}")
        context.log.error(notes[-1])
    with transaction(engine) as session:
        ready = batches_ready_for_recon(session)
    requests = [
        dg.RunRequest(
            run_key=f"recon:{batch_id}:{state}",
            partition_key=cycle,
            asset_selection=[results_key(batch_type)],
            tags={"irp/batch_type": str(batch_type), "irp/batch_id": str(batch_id)},
        )
        for batch_id, batch_type, cycle, state in ready
        if batch_type in IMPLEMENTED
    ]
    summary = "; ".join(notes) or "no in-flight jobs"
    context.log.info("%s; %d batch(es) ready for recon", summary, len(requests))
    if not requests:
        return dg.SensorResult(skip_reason=summary)
    return dg.SensorResult(run_requests=requests)
