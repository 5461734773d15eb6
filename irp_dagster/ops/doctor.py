"""``irp doctor``: is this deployment able to run a cycle?

Each check is a plain function returning :class:`CheckResult` records, so the command, a test
or a health endpoint can run them alike. Checked, in order: the domain database (reachable,
migrations at head), the Dagster instance storage and the daemon heartbeats (only when
``DAGSTER_HOME`` names an instance), and Moody's (reachable, the API key accepted) with one
cheap authenticated GET. Details never contain the API key or a database password.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from irp_dagster.moodys.client import MoodysClient
from irp_dagster.moodys.errors import MoodysApiError, MoodysUnreachableError
from irp_dagster.persistence.db import current_revision, head_revision, make_engine
from irp_dagster.settings import Settings

if TYPE_CHECKING:
    from dagster import DagsterInstance

#: A cheap authenticated read: one data server.
MOODYS_PROBE_ROUTE = "/platform/riskdata/v1/dataservers"
#: The daemon writes a heartbeat every 30 s; older than this means it is not running.
DEFAULT_HEARTBEAT_TOLERANCE_SECONDS = 120.0


class CheckStatus(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True)
class CheckResult:
    part: str
    status: CheckStatus
    detail: str

    @property
    def failed(self) -> bool:
        return self.status is CheckStatus.FAIL


def _redact(message: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def check_database(url: str, *, timeout_seconds: float = 10.0) -> list[CheckResult]:
    """The domain database answers, and its schema is at the migrations' head."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not Path(path).exists():
            return [
                CheckResult("database", CheckStatus.FAIL, f"{shown}: no such file"),
                CheckResult("migrations", CheckStatus.SKIP, "run `irp db upgrade` to create it"),
            ]
        engine = make_engine(url)
    else:  # a server that does not answer must not hang the check
        engine = create_engine(url, connect_args={"connect_timeout": max(1, int(timeout_seconds))})
    try:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            revision = current_revision(engine)
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            detail = _redact(f"{shown} unreachable: {_first_line(error)}", [parsed.password])
            return [
                CheckResult("database", CheckStatus.FAIL, detail),
                CheckResult("migrations", CheckStatus.SKIP, "database unreachable"),
            ]
    finally:
        engine.dispose()
    head = head_revision()
    database = CheckResult("database", CheckStatus.OK, shown)
    if revision == head:
        return [database, CheckResult("migrations", CheckStatus.OK, f"at head {head}")]
    found = "no schema" if revision is None else f"at {revision}"
    detail = f"{found}, head is {head}: run `irp db upgrade`"
    return [database, CheckResult("migrations", CheckStatus.FAIL, detail)]


def check_moodys(
    base_url: str,
    api_key: str,
    resource_group_id: str,
    *,
    timeout_seconds: float = 10.0,
) -> list[CheckResult]:
    """One GET of a data server, without retries: reachability, then the credentials."""
    probe = f"GET {base_url.rstrip('/')}{MOODYS_PROBE_ROUTE}"
    try:
        with MoodysClient(
            base_url,
            api_key,
            resource_group_id,
            timeout_seconds=timeout_seconds,
            max_retries=0,
        ) as client:
            response = client.request("GET", MOODYS_PROBE_ROUTE, params={"limit": 1})
    except MoodysUnreachableError as error:
        return [
            CheckResult("moodys api", CheckStatus.FAIL, _redact(str(error), [api_key])),
            CheckResult("moodys credentials", CheckStatus.SKIP, "Moody's unreachable"),
        ]
    except MoodysApiError as error:
        if error.status_code in (401, 403):
            return [
                CheckResult("moodys api", CheckStatus.OK, f"{probe} answered"),
                CheckResult(
                    "moodys credentials",
                    CheckStatus.FAIL,
                    f"HTTP {error.status_code}: check IRP_MOODYS_API_KEY and "
                    "IRP_MOODYS_RESOURCE_GROUP_ID",
                ),
            ]
        return [
            CheckResult("moodys api", CheckStatus.FAIL, _redact(str(error), [api_key])),
            CheckResult("moodys credentials", CheckStatus.SKIP, "no successful answer"),
        ]
    return [
        CheckResult("moodys api", CheckStatus.OK, f"{probe} -> HTTP {response.status_code}"),
        CheckResult("moodys credentials", CheckStatus.OK, "API key accepted"),
    ]


def check_dagster_storage(instance: DagsterInstance) -> CheckResult:
    """The instance's run storage answers a query."""
    try:
        runs = instance.get_runs_count()
    except Exception as error:  # noqa: BLE001
        detail = _redact(_first_line(error), [os.environ.get("DAGSTER_PG_PASSWORD")])
        return CheckResult("dagster storage", CheckStatus.FAIL, detail)
    storage = type(instance.run_storage).__name__
    return CheckResult("dagster storage", CheckStatus.OK, f"{storage}, {runs} run(s)")


def check_daemon(
    instance: DagsterInstance,
    *,
    tolerance_seconds: float = DEFAULT_HEARTBEAT_TOLERANCE_SECONDS,
    now: Callable[[], float] = time.time,
) -> CheckResult:
    """Every daemon the instance needs sent a heartbeat within ``tolerance_seconds``."""
    try:
        heartbeats = instance.get_daemon_heartbeats()
        required = instance.get_required_daemon_types()
    except Exception as error:  # noqa: BLE001
        return CheckResult("dagster daemon", CheckStatus.FAIL, _first_line(error))
    current = now()
    missing = [d for d in required if d not in heartbeats]
    stale = {
        d: current - heartbeats[d].timestamp
        for d in required
        if d in heartbeats and current - heartbeats[d].timestamp > tolerance_seconds
    }
    if missing or stale:
        problems = [f"no heartbeat from {', '.join(missing)}"] if missing else []
        problems += [f"{d} last seen {age:.0f} s ago" for d, age in stale.items()]
        return CheckResult(
            "dagster daemon", CheckStatus.FAIL, "; ".join(problems) + ": is dagster-daemon running?"
        )
    oldest = max((current - heartbeats[d].timestamp for d in required), default=0.0)
    return CheckResult(
        "dagster daemon", CheckStatus.OK, f"{len(required)} daemons, oldest beat {oldest:.0f} s ago"
    )


def check_dagster(
    dagster_home: str | None, *, tolerance_seconds: float = DEFAULT_HEARTBEAT_TOLERANCE_SECONDS
) -> list[CheckResult]:
    """Storage and daemon of the instance in ``dagster_home``; skipped when there is none."""
    if not dagster_home:
        reason = "DAGSTER_HOME not set"
        return [
            CheckResult("dagster storage", CheckStatus.SKIP, reason),
            CheckResult("dagster daemon", CheckStatus.SKIP, reason),
        ]
    from dagster import DagsterInstance

    try:
        instance = DagsterInstance.from_config(dagster_home)
    except Exception as error:  # noqa: BLE001
        return [
            CheckResult(
                "dagster storage", CheckStatus.FAIL, f"{dagster_home}: {_first_line(error)}"
            ),
            CheckResult("dagster daemon", CheckStatus.SKIP, "no instance"),
        ]
    with instance:
        storage = check_dagster_storage(instance)
        if storage.failed:
            return [storage, CheckResult("dagster daemon", CheckStatus.SKIP, "storage failed")]
        return [storage, check_daemon(instance, tolerance_seconds=tolerance_seconds)]


def run_checks(
    settings: Settings,
    *,
    dagster_home: str | None = None,
    timeout_seconds: float = 10.0,
    heartbeat_tolerance_seconds: float = DEFAULT_HEARTBEAT_TOLERANCE_SECONDS,
) -> list[CheckResult]:
    """Every check, in the order of the table ``irp doctor`` prints."""
    if dagster_home is None:
        dagster_home = os.environ.get("DAGSTER_HOME")
    return [
        *check_database(settings.resolved_database_url(), timeout_seconds=timeout_seconds),
        *check_dagster(dagster_home, tolerance_seconds=heartbeat_tolerance_seconds),
        *check_moodys(
            settings.moodys_base_url,
            settings.moodys_api_key.get_secret_value(),
            settings.moodys_resource_group_id,
            timeout_seconds=timeout_seconds,
        ),
    ]


def format_table(results: Iterable[CheckResult]) -> str:
    rows = [("part", "status", "detail"), *((r.part, str(r.status), r.detail) for r in results)]
    width = max(len(part) for part, _, _ in rows)
    return "\n".join(f"{part:<{width}}  {status:<6}  {detail}" for part, status, detail in rows)
