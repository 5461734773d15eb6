"""After an action: reconcile the touched batches again, so the UI shows the new state at once."""

from __future__ import annotations

import getpass
import logging

from sqlalchemy import Engine

from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.operators._common import ActionResult
from irp_dagster.services.recon import ReconOutcome, collect_results, reconcile_batch

log = logging.getLogger(__name__)


def default_actor() -> str:
    """The OS user running the process (the actor when nobody is named)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def reconcile_after(
    engine: Engine, result: ActionResult, client: MoodysClient | None = None
) -> list[ReconOutcome]:
    """Reconcile each batch the action touched (collecting finished jobs' outcomes first when a
    client is given; a Moody's failure there is logged and left to the results asset)."""
    outcomes = []
    for batch_id in result.batch_ids:
        if client is not None:
            try:
                collect_results(engine, client, batch_id)
            except Exception as error:  # noqa: BLE001 - recon must still show the new state
                log.warning("Collecting results of batch %s failed: %s", batch_id, error)
        outcomes.append(reconcile_batch(engine, batch_id))
    return outcomes
