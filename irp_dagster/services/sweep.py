"""The recovery sweep: what a crashed run or a stopped sensor may have left behind.

1. Jobs SUBMITTING (POST sent, answer never recorded) for longer than a grace period: their
   batch is re-submitted through :func:`irp_dagster.services.batches.submit_batch`, which re-sends
   them with their original request id (Moody's replays its first answer; nothing is created
   twice) and tops up the batch within its throttle.
2. Jobs in flight without a poll for too long: polled now (bulk, like the sensor).
3. Open batches whose jobs are all terminal but whose last recon predates their last outcome:
   results collected and reconciled.

Each part runs even if another failed; failures are reported, not raised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import BatchStatus
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import utcnow
from irp_dagster.persistence.repository import (
    batches_with_stale_recon,
    batches_with_stuck_submissions,
)
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.polling import PollReport, poll_in_flight, poll_limits
from irp_dagster.services.recon import collect_results, reconcile_batch
from irp_dagster.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reconciled:
    batch_id: int
    batch_type: BatchType
    cycle: str
    status: BatchStatus
    summary: dict


@dataclass
class SweepReport:
    resubmitted: dict[int, list[int]] = field(default_factory=dict)  # batch id -> jobs sent
    poll: PollReport | None = None
    reconciled: list[Reconciled] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        sent = sum(len(jobs) for jobs in self.resubmitted.values())
        return (
            f"re-submitted {sent} job(s) of {len(self.resubmitted)} batch(es); "
            f"polled {self.poll.polled if self.poll else 0} stale job(s); "
            f"reconciled {len(self.reconciled)} batch(es); {len(self.errors)} error(s)"
        )


def resend_stuck_submissions(
    engine: Engine,
    client: MoodysClient,
    settings: Settings,
    older_than: timedelta,
    report: SweepReport,
) -> None:
    with transaction(engine) as session:
        stuck = batches_with_stuck_submissions(session, before=utcnow() - older_than)
    for batch_id, batch_type, cycle in stuck:
        try:
            submitted = submit_batch(
                engine,
                client,
                cycle,
                batch_type,
                max_in_flight=settings.max_in_flight_for(batch_type),
            )
        except Exception as error:  # noqa: BLE001 - one batch must not stop the sweep
            log.exception("Re-submitting batch %s failed", batch_id)
            report.errors.append(f"batch {batch_id} ({batch_type} of {cycle}): {error}")
            continue
        report.resubmitted[batch_id] = submitted.submitted


def reconcile_stale_batches(
    engine: Engine, client: MoodysClient, older_than: timedelta, report: SweepReport
) -> None:
    with transaction(engine) as session:
        stale = batches_with_stale_recon(session, before=utcnow() - older_than)
    for batch_id, batch_type, cycle in stale:
        try:
            collect_results(engine, client, batch_id)
            outcome = reconcile_batch(engine, batch_id)
        except Exception as error:  # noqa: BLE001 - one batch must not stop the sweep
            log.exception("Reconciling batch %s failed", batch_id)
            report.errors.append(f"recon of batch {batch_id} ({batch_type} of {cycle}): {error}")
            continue
        report.reconciled.append(
            Reconciled(batch_id, batch_type, cycle, outcome.status, outcome.summary)
        )


def sweep(
    engine: Engine,
    client: MoodysClient,
    settings: Settings,
    *,
    submitting_after: timedelta = timedelta(minutes=15),
    unpolled_after: timedelta = timedelta(minutes=10),
    recon_after: timedelta = timedelta(minutes=10),
) -> SweepReport:
    """Run the three recoveries; the thresholds say how old "stuck" and "stale" are."""
    report = SweepReport()
    resend_stuck_submissions(engine, client, settings, submitting_after, report)
    try:
        report.poll = poll_in_flight(
            engine,
            client,
            max_poll_hours=poll_limits(settings),
            polled_before=utcnow() - unpolled_after,
        )
        if report.poll.error:
            report.errors.append(f"polling stopped early: {report.poll.error}")
    except Exception as error:  # noqa: BLE001 - the recon part still runs
        log.exception("Polling stale jobs failed")
        report.errors.append(f"polling: {error}")
    reconcile_stale_batches(engine, client, recon_after, report)
    return report
