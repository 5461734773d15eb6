"""Benchmark: one ``moodys_job_sensor`` tick over 1,000 and 10,000 in-flight jobs.

The mock Moody's runs in this process (uvicorn thread, manual clock); each case's ticks run in a
fresh child process so that its peak RSS is the sensor's own. Jobs are created straight in the
mock's state and inserted into the domain database (SQLite file; PostgreSQL too when reachable),
spread over ``--batches`` edm_creation batches. Four ticks per case:

1. ``queued``: every job SUBMITTED -> QUEUED (a status change and a tracking row each);
2. ``steady``: nothing moved at Moody's (only ``last_polled_at`` is written);
3. ``running``: every job RUNNING at 50 % (a progress change each);
4. ``finished``: every job FINISHED; one recon run request per batch.

Wall time, the tick process's CPU time (the rest is the mock answering and the database),
API calls (from the mock's ledger), tracking rows written, run requests and peak RSS.
Goal: a tick under 30 s at 10,000 jobs (the sensor evaluation timeout is 60 s). Not a test.

    uv run python bench/bench_sensor_tick.py [--jobs 1000 10000] [--batches 10] [--no-postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

GOAL_SECONDS = 30.0
POSTGRES_URL = os.environ.get(
    "IRP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
RG = "00000000-0000-4000-8000-000000000001"
TICKS = (("queued", 0.0), ("steady", 1.0), ("running", 10 + 3 + 30 - 1.0), ("finished", 3600.0))


def _seed_database(url: str, moodys_ids: list[str], batches: int) -> None:
    """Cycles, configurations, ACTIVE edm_creation batches and SUBMITTED jobs, in bulk."""
    from sqlalchemy import insert

    from irp_dagster.domain.batch_types import BatchType
    from irp_dagster.domain.statuses import BatchStatus, ConfigurationStatus, JobStatus
    from irp_dagster.persistence.db import make_engine, transaction, upgrade
    from irp_dagster.persistence.models import (
        Batch,
        Configuration,
        Cycle,
        Job,
        JobConfiguration,
        utcnow,
    )

    upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    per_batch = -(-len(moodys_ids) // batches)
    with transaction(engine) as session:
        for b in range(batches):
            ids = moodys_ids[b * per_batch : (b + 1) * per_batch]
            cycle = Cycle(name=f"bench-{b}")
            session.add(cycle)
            session.flush()
            configuration = Configuration(
                cycle_id=cycle.id,
                version=1,
                file_name="bench.xlsx",
                content_hash="-",
                data={},
                status=ConfigurationStatus.ACTIVE,
            )
            session.add(configuration)
            session.flush()
            batch = Batch(
                configuration_id=configuration.id,
                batch_type=BatchType.EDM_CREATION,
                status=BatchStatus.ACTIVE,
                submitted_at=now,
            )
            session.add(batch)
            session.flush()
            configs = session.scalars(
                insert(JobConfiguration).returning(
                    JobConfiguration.id, sort_by_parameter_order=True
                ),
                [{"batch_id": batch.id, "key": f"edm{i}", "data": {}} for i in range(len(ids))],
            ).all()
            session.execute(
                insert(Job),
                [
                    {
                        "batch_id": batch.id,
                        "job_configuration_id": config_id,
                        "request_id": str(uuid.uuid4()),
                        "status": JobStatus.SUBMITTED,
                        "moodys_family": "riskdata",
                        "moodys_job_id": moodys_id,
                        "submitted_at": now,
                    }
                    for config_id, moodys_id in zip(configs, ids, strict=True)
                ],
            )
    engine.dispose()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _ticks(url: str, base_url: str, results) -> None:
    """Child process: the four ticks, each timed, with API calls from the mock's ledger."""
    import logging

    import dagster as dg
    import httpx
    from sqlalchemy import func, select

    from irp_dagster.defs.resources import DatabaseResource, MoodysResource
    from irp_dagster.defs.sensors import moodys_job_sensor
    from irp_dagster.persistence.db import cached_engine, transaction
    from irp_dagster.persistence.models import JobTrackingLog

    resources = {
        "database": DatabaseResource(url=url),
        "moodys": MoodysResource(base_url=base_url, api_key="bench", resource_group_id=RG),
    }
    instance = dg.DagsterInstance.ephemeral()
    logging.disable(logging.INFO)  # the tick's own summary line
    engine = cached_engine(url)
    control = httpx.Client(base_url=base_url)

    def api_calls() -> int:
        ledger = control.get("/_mock/ledger").json()
        return sum(n for route, n in ledger.items() if route.startswith("GET "))

    def tracking_rows() -> int:
        with transaction(engine) as session:
            return session.scalar(select(func.count()).select_from(JobTrackingLog))

    rows = []
    baseline = _rss_mb()
    for name, advance in TICKS:
        control.post("/_mock/clock/advance", json={"seconds": advance}).raise_for_status()
        calls, logged = api_calls(), tracking_rows()
        started, cpu = time.perf_counter(), time.process_time()
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            result = moodys_job_sensor(context)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows.append(
            {
                "tick": name,
                "wall": wall,
                "cpu": cpu,
                "calls": api_calls() - calls,
                "tracked": tracking_rows() - logged,
                "runs": len(result.run_requests or []),
                "rss": _rss_mb(),
            }
        )
    results.put({"baseline_rss": baseline, "ticks": rows})


def _postgres_database() -> tuple[str, object] | None:
    """A fresh PostgreSQL database URL and a callable dropping it, or None if unreachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        name = f"irp_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - PostgreSQL is optional here
        print(f"PostgreSQL skipped: {type(error).__name__}")
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    return url, drop


def run_case(mock, backend: str, jobs: int, batches: int, folder: Path) -> dict | None:
    mock.state.reset()
    with mock.state.lock:
        ids = [
            str(
                mock.state.create_job(
                    "riskdata", "BENCH", f"j{i}", headers={"x-rms-resource-group-id": RG}, route="/"
                ).id
            )
            for i in range(jobs)
        ]
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'bench-{jobs}.sqlite'}"
    else:
        created = _postgres_database()
        if created is None:
            return None
        url, drop = created
    try:
        started = time.perf_counter()
        _seed_database(url, ids, batches)
        seeded = time.perf_counter() - started
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        child = context.Process(target=_ticks, args=(url, mock.base_url, results))
        child.start()
        outcome = results.get(timeout=1800)
        child.join()
    finally:
        if drop is not None:
            drop()
    return {"backend": backend, "jobs": jobs, "seed": seeded, **outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    from mock_moodys.config import MockConfig
    from mock_moodys.server import MockServer

    backends = ["sqlite"] + ([] if args.no_postgres else ["postgres"])
    cases = []
    with MockServer(MockConfig(manual_clock=True)) as mock, tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for jobs in args.jobs:
                case = run_case(mock, backend, jobs, args.batches, Path(tmp))
                if case is not None:
                    cases.append(case)
    header = f"{'backend':8} {'jobs':>6} {'tick':9} {'wall s':>7} {'CPU s':>6} {'API calls':>9} "
    header += f"{'tracked':>8} {'runs':>5} {'peak RSS MB':>11}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for case in cases:
        for tick in case["ticks"]:
            worst = max(worst, tick["wall"]) if case["jobs"] >= 10_000 else worst
            print(
                f"{case['backend']:8} {case['jobs']:>6} {tick['tick']:9} {tick['wall']:>7.2f} "
                f"{tick['cpu']:>6.2f} "
                f"{tick['calls']:>9} {tick['tracked']:>8} {tick['runs']:>5} {tick['rss']:>11.0f}"
            )
        print(
            f"{'':8} {'':>6} (child RSS before the first tick {case['baseline_rss']:.0f} MB; "
            f"seeding {case['seed']:.1f} s)"
        )
    if worst:
        verdict = "met" if worst < GOAL_SECONDS else "NOT met"
        print(
            f"\nslowest tick at 10,000 jobs: {worst:.2f} s (goal < {GOAL_SECONDS:.0f} s: {verdict})"
        )


if __name__ == "__main__":
    main()
