"""``irp`` operator commands: the operator actions for scripts, plus status, audit and export.

Each action calls the same service function as its Dagster job, reconciles the touched batches
and reports their new state to the Dagster instance as runless asset events (the results
partition and its ``batch_completed`` check), so the UI and the automation see it at once.
A refused action exits with status 1 and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path

import click
from sqlalchemy import Engine

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import cached_engine, transaction
from irp_dagster.persistence.repository import NotFoundError
from irp_dagster.services import operators as ops
from irp_dagster.services.operators import ActionResult, OperatorActionError
from irp_dagster.settings import Settings

BATCH_TYPES = click.Choice([t.value for t in BatchType], case_sensitive=False)
PRIORITY_LEVELS = click.Choice(list(ops.PRIORITIES), case_sensitive=False)

actor_option = click.option(
    "--actor",
    default=ops.default_actor,
    show_default="the OS user",
    help="Who acts (kept in the audit trail).",
)
reason_option = click.option("--reason", default="", help="Why (kept in the audit trail).")
required_reason = click.option("--reason", required=True, help="Why (mandatory; audited).")
submit_option = click.option(
    "--submit/--no-submit",
    default=True,
    show_default=True,
    help="Submit at once (else the polling sensor does).",
)
events_option = click.option(
    "--dagster/--no-dagster",
    "report_to_dagster",
    default=True,
    show_default=True,
    help="Report the new batch state to the Dagster instance (DAGSTER_HOME).",
)

Action = Callable[[Engine, MoodysClient | None], ActionResult]


def _engine() -> Engine:
    return cached_engine(Settings().resolved_database_url())


@contextmanager
def _moodys() -> Iterator[MoodysClient]:
    settings = Settings()
    with MoodysClient(
        settings.moodys_base_url,
        settings.moodys_api_key.get_secret_value(),
        settings.moodys_resource_group_id,
        timeout_seconds=settings.moodys_timeout_seconds,
        max_retries=settings.moodys_max_retries,
    ) as client:
        yield client


def _batch_id(engine: Engine, cycle: str, batch_type: str) -> int:
    with transaction(engine) as session:
        return ops.resolve_batch_id(session, cycle, batch_type)


def _run(action: Action, moodys: bool, report: bool = True) -> None:
    """Run an action, reconcile what it touched, and tell Dagster; refusals exit 1."""
    from irp_dagster.defs.operator_jobs import refresh_batches

    engine = _engine()
    events: list = []
    with _moodys() if moodys else nullcontext() as client:
        try:
            result = action(engine, client)
        except OperatorActionError as refusal:
            raise click.ClickException(f"Refused: {refusal}") from None
        click.echo(f"{result.message} (audit #{result.audit_id})")
        outcomes = refresh_batches(engine, result, client, events.append)
    for outcome in outcomes:
        click.echo(f"batch {outcome.batch_id}: {outcome.status}")
    if report and events:
        from irp_dagster.cli.config import dagster_instance

        instance = dagster_instance()
        for event in events:
            instance.report_runless_asset_event(event)


def _command(name: str, help: str, *params: Callable) -> Callable:
    """``click.command`` with ``params``, then ``--actor`` and ``--dagster/--no-dagster``."""
    decorators = [click.command(name, help=help), *params, actor_option, events_option]

    def apply(fn: Callable) -> Callable:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


JOB = click.argument("job_id", type=int)
BATCH = (click.argument("cycle"), click.argument("batch_type", type=BATCH_TYPES))


@_command("cancel-job", "Cancel a job (at Moody's if it is there).", JOB, reason_option)
def cancel_job(job_id: int, reason: str, actor: str, report_to_dagster: bool) -> None:
    action = partial(ops.cancel_job, job_id=job_id, actor=actor, reason=reason)
    _run(lambda e, c: action(e, c), moodys=True, report=report_to_dagster)


@_command("cancel-batch", "Cancel every unfinished job of a batch.", *BATCH, reason_option)
def cancel_batch(cycle: str, batch_type: str, reason: str, actor: str, report_to_dagster) -> None:
    action = partial(ops.cancel_batch, actor=actor, reason=reason)
    _run(lambda e, c: action(e, c, _batch_id(e, cycle, batch_type)), True, report_to_dagster)


def _overrides(pairs: tuple[str, ...], as_json: str) -> dict | None:
    try:
        override = dict(ops.parse_override(as_json) or {})
    except OperatorActionError as bad:
        raise click.BadParameter(str(bad), param_hint="--override-json") from None
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--override")
        override[key.strip()] = value
    return override or None


OVERRIDE = click.option(
    "--override",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Configuration data to change (text; numbers/booleans where the key holds one).",
)
OVERRIDE_JSON = click.option("--override-json", default="", help="A JSON object of data.")
OVERRIDE_REASON = click.option("--reason", default="", help="Why (mandatory with an override).")


@_command(
    "resubmit-job",
    "Resubmit an ended job as a new job.",
    JOB,
    OVERRIDE,
    OVERRIDE_JSON,
    OVERRIDE_REASON,
    submit_option,
)
def resubmit_job(job_id, pairs, override_json, reason, submit, actor, report_to_dagster) -> None:
    override = _overrides(pairs, override_json)
    action = partial(ops.resubmit_job, job_id=job_id, actor=actor, reason=reason)
    _run(lambda e, c: action(e, override=override, client=c), submit, report_to_dagster)


@_command(
    "resubmit-failed",
    "Resubmit every FAILED/ERROR/CANCELLED job of a batch.",
    *BATCH,
    reason_option,
    submit_option,
)
def resubmit_failed(cycle, batch_type, reason, submit, actor, report_to_dagster) -> None:
    action = partial(ops.resubmit_failed, actor=actor, reason=reason)
    _run(
        lambda e, c: action(e, _batch_id(e, cycle, batch_type), client=c), submit, report_to_dagster
    )


@_command("skip-job", "Flag a job skipped (it keeps its status).", JOB, required_reason)
def skip_job(job_id: int, reason: str, actor: str, report_to_dagster: bool) -> None:
    action = partial(ops.skip_job, job_id=job_id, actor=actor, reason=reason)
    _run(lambda e, c: action(e), False, report_to_dagster)


@_command(
    "skip-config",
    "Take a job configuration out of its batch.",
    click.argument("job_configuration_id", type=int),
    required_reason,
)
def skip_config(job_configuration_id: int, reason: str, actor: str, report_to_dagster) -> None:
    action = partial(ops.skip_job_configuration, actor=actor, reason=reason)
    _run(lambda e, c: action(e, job_configuration_id), False, report_to_dagster)


@_command("force-ok", "Accept a FAILED/ERROR/CANCELLED job as FORCED_OK.", JOB, required_reason)
def force_ok(job_id: int, reason: str, actor: str, report_to_dagster: bool) -> None:
    action = partial(ops.force_ok_job, job_id=job_id, actor=actor, reason=reason)
    _run(lambda e, c: action(e), False, report_to_dagster)


@_command("pause", "Stop submitting a batch (its in-flight jobs go on).", *BATCH, reason_option)
def pause(cycle: str, batch_type: str, reason: str, actor: str, report_to_dagster: bool) -> None:
    action = partial(ops.pause_batch, actor=actor, reason=reason)
    _run(lambda e, c: action(e, _batch_id(e, cycle, batch_type)), False, report_to_dagster)


@_command("resume", "Let a PAUSED batch submit again.", *BATCH, reason_option, submit_option)
def resume(cycle, batch_type, reason, submit, actor, report_to_dagster) -> None:
    action = partial(ops.resume_batch, actor=actor, reason=reason)
    _run(
        lambda e, c: action(e, _batch_id(e, cycle, batch_type), client=c), submit, report_to_dagster
    )


@_command(
    "set-priority",
    "Set the Moody's priority of a batch's waiting jobs.",
    *BATCH,
    click.argument("priority", type=PRIORITY_LEVELS),
    reason_option,
)
def set_priority(cycle, batch_type, priority, reason, actor, report_to_dagster) -> None:
    action = partial(ops.set_priority, priority=priority, actor=actor, reason=reason)
    _run(lambda e, c: action(e, c, _batch_id(e, cycle, batch_type)), True, report_to_dagster)


@_command(
    "archive",
    "Archive a cycle (refused while a batch is open).",
    click.argument("cycle"),
    reason_option,
)
def archive(cycle: str, reason: str, actor: str, report_to_dagster: bool) -> None:
    action = partial(ops.archive_cycle, cycle_name=cycle, actor=actor, reason=reason)
    _run(lambda e, c: action(e), False, report_to_dagster)


@click.command("status", help="Markdown report of CYCLE's batches: what needs an operator.")
@click.argument("cycle")
@click.option("--batch", "batch_type", type=BATCH_TYPES, help="Only this batch type.")
def status(cycle: str, batch_type: str | None) -> None:
    from irp_dagster.services.batch_report import cycle_report

    try:
        click.echo(cycle_report(_engine(), cycle, batch_type))
    except NotFoundError as missing:
        raise click.ClickException(str(missing)) from None


@click.command("audit", help="The operator actions taken on CYCLE, oldest first.")
@click.argument("cycle")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def audit(cycle: str, as_json: bool) -> None:
    from irp_dagster.services.batch_report import operator_actions

    try:
        rows = operator_actions(_engine(), cycle)
    except NotFoundError as missing:
        raise click.ClickException(str(missing)) from None
    for row in rows:
        if as_json:
            click.echo(json.dumps({**row, "at": row["at"].isoformat()}, sort_keys=True))
            continue
        at = row["at"].strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"#{row['id']} {at}Z {row['actor']} {row['action']} {row['target']}"
            f" reason={row['reason'] or '-'} before={json.dumps(row['before'])}"
            f" after={json.dumps(row['after'])}"
        )
    if not rows:
        click.echo(f"No operator action on cycle {cycle}.")


@click.command("export", help="Write CYCLE's job outcomes to PATH (.xlsx, or .csv).")
@click.argument("cycle")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export(cycle: str, path: Path) -> None:
    from irp_dagster.services.export import export_cycle

    try:
        written = export_cycle(_engine(), cycle, path)
    except NotFoundError as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(f"Wrote {written}")


COMMANDS = [
    cancel_job,
    cancel_batch,
    resubmit_job,
    resubmit_failed,
    skip_job,
    skip_config,
    force_ok,
    pause,
    resume,
    set_priority,
    archive,
    status,
    audit,
    export,
]


def register(group: click.Group) -> None:
    """Add the operator commands to the ``irp`` group."""
    for command in COMMANDS:
        group.add_command(command)
