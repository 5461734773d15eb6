"""Operator actions: steer running cycles (cancel, resubmit, skip, force-OK, pause, priority,
archive), each validated first, then one transaction with its ``operator_action`` audit row.

The same functions back the Dagster operator jobs (:mod:`irp_dagster.defs.operator_jobs`) and
the ``irp`` command line (:mod:`irp_dagster.cli.operators`).
"""

from irp_dagster.services.operators._common import (
    ActionResult,
    OperatorActionError,
    resolve_batch_id,
)
from irp_dagster.services.operators.batches import (
    PRIORITIES,
    archive_cycle,
    batch_priorities,
    batch_priority,
    dagster_priority,
    patch_priority,
    pause_batch,
    resume_batch,
    set_priority,
)
from irp_dagster.services.operators.cancel import cancel_batch, cancel_job
from irp_dagster.services.operators.jobs import force_ok_job, skip_job, skip_job_configuration
from irp_dagster.services.operators.refresh import default_actor, reconcile_after
from irp_dagster.services.operators.resubmit import (
    parse_override,
    resubmit_failed,
    resubmit_job,
    submit_now,
)

__all__ = [
    "PRIORITIES",
    "ActionResult",
    "OperatorActionError",
    "archive_cycle",
    "batch_priorities",
    "batch_priority",
    "cancel_batch",
    "cancel_job",
    "dagster_priority",
    "default_actor",
    "force_ok_job",
    "parse_override",
    "patch_priority",
    "pause_batch",
    "reconcile_after",
    "resolve_batch_id",
    "resubmit_failed",
    "resubmit_job",
    "resume_batch",
    "set_priority",
    "skip_job",
    "skip_job_configuration",
    "submit_now",
]
