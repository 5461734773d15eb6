"""Webhook notifications (Slack or Microsoft Teams): failed Dagster runs, and batches whose
reconciliation turns FAILED or ERROR.

Off unless ``IRP_NOTIFY_WEBHOOK_URL`` is set (``IRP_NOTIFY_WEBHOOK_KIND``: ``slack``, the
default, or ``teams``). The URL carries the webhook's secret, so it is read from the environment
and never logged. ``batch_failure_notification_sensor`` follows the recon log with a cursor, so
every reconciliation (the results asset, an operator action, the CLI) is covered and each batch
is announced once per transition into FAILED/ERROR; ``notify_batch_outcome`` is the same message
as a hook for code that reconciles and wants to notify at once.
"""

import logging
import os

import dagster as dg
import httpx
from pydantic import Field
from sqlalchemy import select

from irp_dagster.defs.resources import DatabaseResource
from irp_dagster.domain.statuses import BatchStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, BatchReconLog, Configuration, Cycle

log = logging.getLogger(__name__)

URL_ENV, KIND_ENV = "IRP_NOTIFY_WEBHOOK_URL", "IRP_NOTIFY_WEBHOOK_KIND"
ANNOUNCED = (BatchStatus.FAILED, BatchStatus.ERROR)
MAX_IDS = 20


class WebhookResource(dg.ConfigurableResource):
    """An incoming webhook of Slack or Teams; ``url`` unset means notifications are off."""

    url: str | None = Field(default=None, description="Webhook URL (secret: from the env)")
    kind: str = Field(default="slack", description="slack or teams")
    timeout_seconds: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    def payload(self, title: str, text: str) -> dict:
        if self.kind.lower() == "teams":
            return {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": title,
                "title": title,
                "text": text,
            }
        return {"text": f"*{title}*\n{text}"}

    def send(self, title: str, text: str) -> bool:
        """Post one message; a failure is logged (without the URL) and reported as False."""
        if not self.url:
            return False
        try:
            response = httpx.post(
                self.url, json=self.payload(title, text), timeout=self.timeout_seconds
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            log.warning("Webhook notification failed: %s", type(error).__name__)
            return False
        return True


def notifier_from_env() -> WebhookResource:
    return WebhookResource(
        url=os.environ.get(URL_ENV) or None, kind=os.environ.get(KIND_ENV, "slack")
    )


def _default_status() -> dg.DefaultSensorStatus:
    on = bool(os.environ.get(URL_ENV))
    return dg.DefaultSensorStatus.RUNNING if on else dg.DefaultSensorStatus.STOPPED


def batch_outcome_message(
    cycle: str, batch_type: str, batch_id: int, status: str, summary: dict
) -> tuple[str, str]:
    """(title, text) announcing a batch outcome, with the failing job ids."""
    title = f"irp: {batch_type} batch {status} in cycle {cycle}"
    parts = [
        f"Batch {batch_id}: {summary.get('fulfilled_configs', '?')} of "
        f"{summary.get('non_skipped_configs', '?')} configurations fulfilled."
    ]
    for key, label in (("failed_job_ids", "failed"), ("error_job_ids", "in error")):
        ids = summary.get(key) or []
        if ids:
            shown = ", ".join(str(i) for i in ids[:MAX_IDS]) + (
                " ..." if len(ids) > MAX_IDS else ""
            )
            parts.append(f"Jobs {label}: {shown}.")
    parts.append(f"See `irp status {cycle} --batch {batch_type}`.")
    return title, " ".join(parts)


def notify_batch_outcome(
    notifier: WebhookResource, cycle: str, batch_type: str, batch_id: int, status, summary: dict
) -> bool:
    """The reconciliation hook: announce a FAILED/ERROR batch (other outcomes are quiet)."""
    if BatchStatus(status) not in ANNOUNCED or not notifier.enabled:
        return False
    return notifier.send(*batch_outcome_message(cycle, batch_type, batch_id, status, summary))


def _new_failures(session, after_id: int) -> list[tuple[int, str, int, str, str, dict]]:
    """Recon rows after ``after_id`` that move a batch into FAILED/ERROR (not a repeat)."""
    rows = session.execute(
        select(
            BatchReconLog.id,
            BatchReconLog.batch_id,
            BatchReconLog.result,
            BatchReconLog.summary,
            Batch.batch_type,
            Cycle.name,
        )
        .join(Batch, BatchReconLog.batch_id == Batch.id)
        .join(Configuration, Batch.configuration_id == Configuration.id)
        .join(Cycle, Configuration.cycle_id == Cycle.id)
        .where(BatchReconLog.id > after_id)
        .order_by(BatchReconLog.id)
    ).all()
    found = []
    for log_id, batch_id, result, summary, batch_type, cycle in rows:
        if result not in ANNOUNCED:
            continue
        previous = session.scalar(
            select(BatchReconLog.result)
            .where(BatchReconLog.batch_id == batch_id, BatchReconLog.id < log_id)
            .order_by(BatchReconLog.id.desc())
            .limit(1)
        )
        if previous != result:
            found.append((log_id, cycle, batch_id, str(batch_type), str(result), summary))
    return found


@dg.sensor(
    name="batch_failure_notification_sensor",
    minimum_interval_seconds=60,
    default_status=_default_status(),
    description="Posts to the webhook when a batch's reconciliation turns FAILED or ERROR.",
)
def batch_failure_notification_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SkipReason:
    notifier = notifier_from_env()
    engine = database.engine()
    with transaction(engine) as session:
        if context.cursor is None:  # first tick: start from now, do not replay history
            latest = session.scalar(select(BatchReconLog.id).order_by(BatchReconLog.id.desc()))
            context.update_cursor(str(latest or 0))
            return dg.SkipReason("Started following the recon log")
        cursor = int(context.cursor)
        failures = _new_failures(session, cursor)
        latest = session.scalar(select(BatchReconLog.id).order_by(BatchReconLog.id.desc()))
    sent = 0
    for _log_id, cycle, batch_id, batch_type, status, summary in failures:
        sent += notify_batch_outcome(notifier, cycle, batch_type, batch_id, status, summary)
    context.update_cursor(str(max(latest or 0, cursor)))
    if not notifier.enabled:
        return dg.SkipReason(f"{URL_ENV} is not set; {len(failures)} failure(s) not announced")
    return dg.SkipReason(f"Announced {sent} of {len(failures)} batch failure(s)")


@dg.run_failure_sensor(
    name="run_failure_notification_sensor",
    default_status=_default_status(),
    minimum_interval_seconds=30,
    description="Posts to the webhook when a run fails (operator actions excepted: their "
    "refusal is shown to the operator who launched them).",
)
def run_failure_notification_sensor(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    if run.tags.get("irp/kind") == "operator_action":
        return
    notifier = notifier_from_env()
    if not notifier.enabled:
        return
    partition = run.tags.get("dagster/partition")
    title = f"irp: run of {run.job_name} failed" + (f" (cycle {partition})" if partition else "")
    message = context.failure_event.message if context.failure_event else "no failure message"
    notifier.send(title, f"Run {run.run_id}: {message}")
