"""The operations commands: ``irp doctor`` and ``irp metrics`` (also ``python -m irp_dagster.ops``).

Both read the same ``IRP_*`` settings as the engine and log through
:func:`irp_dagster.ops.logging.configure_logging` (``IRP_LOG_FORMAT=json`` for a log shipper).
"""

from __future__ import annotations

import signal
import threading

import click

from irp_dagster.ops.doctor import DEFAULT_HEARTBEAT_TOLERANCE_SECONDS, format_table, run_checks
from irp_dagster.ops.logging import configure_logging
from irp_dagster.ops.metrics import DEFAULT_PORT, start_exporter
from irp_dagster.persistence.db import make_engine
from irp_dagster.settings import Settings


@click.command(help="Check the database, the Dagster instance and daemon, and Moody's.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds for the Moody's call.")
@click.option(
    "--heartbeat-tolerance",
    default=DEFAULT_HEARTBEAT_TOLERANCE_SECONDS,
    show_default=True,
    help="Seconds since a daemon's last heartbeat before it counts as down.",
)
def doctor(timeout: float, heartbeat_tolerance: float) -> None:
    """Print one row per check; exit 1 if any failed."""
    configure_logging()
    results = run_checks(
        Settings(), timeout_seconds=timeout, heartbeat_tolerance_seconds=heartbeat_tolerance
    )
    click.echo(format_table(results))
    failed = [r.part for r in results if r.failed]
    if failed:
        click.echo(f"\nFailed: {', '.join(failed)}", err=True)
        raise SystemExit(1)


@click.command(help="Serve Prometheus metrics read from the domain tables at each scrape.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
def metrics(host: str, port: int) -> None:
    """Run the exporter until SIGTERM or Ctrl-C."""
    configure_logging()
    engine = make_engine(Settings().resolved_database_url())
    server = start_exporter(engine, host=host, port=port)
    click.echo(f"Serving metrics on http://{host}:{server.server_port}/metrics")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


@click.group(help="irp-dagster operations (the same commands as `irp doctor` / `irp metrics`).")
def ops() -> None:
    pass


ops.add_command(doctor)
ops.add_command(metrics)
