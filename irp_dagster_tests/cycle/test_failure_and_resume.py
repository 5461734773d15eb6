"""A job failing in the middle of the chain stops the cycle there (the next batch is never
created); resubmitting it through the operator service lets the cycle resume to COMPLETED."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from irp_dagster.domain.batch_types import BatchType as BT
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.operators import resubmit_job
from irp_dagster_tests.cycle.test_full_cycle import EXPECTED_JOBS

AFTER_GEOHAZ = {
    str(t)
    for t in (BT.PORTFOLIO_MAPPING, BT.ANALYSIS, BT.GROUPING, BT.GROUPING_ROLLUP, BT.RDM_EXPORT)
}


def _geohaz_jobs(engine, portfolio: str) -> list[Job]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(Job)
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .join(Batch, Job.batch_id == Batch.id)
                .where(Batch.batch_type == BT.GEOHAZ, JobConfiguration.key == portfolio)
                .order_by(Job.id)
            )
        )


def test_failed_geohaz_stops_the_chain_and_a_resubmission_resumes_it(cycle_env) -> None:
    env = cycle_env
    httpx.post(
        f"{env.mock.base_url}/_mock/outcomes",
        json={
            "match": {"type": "GEOHAZ", "name_like": "*: PORTFOLIO: TXCO"},
            "outcome": "FAILED",
            "message": "GEOHAZ-0042: hazard service unavailable",
            "next_n": 1,
        },
    ).raise_for_status()
    env.driver.start()
    stopped = env.driver.run_until_done(timeout_seconds=120)

    statuses = stopped.batch_statuses
    assert statuses.pop(str(BT.GEOHAZ)) == "FAILED"
    assert not AFTER_GEOHAZ & set(statuses)  # downstream batches were never created
    assert set(statuses.values()) == {"COMPLETED"}
    (failed,) = _geohaz_jobs(env.engine, "TXCO")
    assert failed.status is JobStatus.FAILED
    assert "hazard service unavailable" in failed.last_error

    action = resubmit_job(env.engine, failed.id, actor="cycle-test", reason="service is back")
    assert len(action.new_job_ids) == 1
    resumed = env.driver.run_until_done(timeout_seconds=120)

    assert resumed.batch_statuses == {str(t): "COMPLETED" for t in EXPECTED_JOBS}
    assert {s.batch_type: s.jobs for s in resumed.summaries} == {
        str(t): n for t, n in EXPECTED_JOBS.items()
    }
    old, new = _geohaz_jobs(env.engine, "TXCO")
    assert (old.id, old.skipped, old.status) == (failed.id, True, JobStatus.FAILED)
    assert (new.parent_job_id, new.status) == (failed.id, JobStatus.FINISHED)
    assert new.request_id != old.request_id
    txco = env.results(BT.PORTFOLIO_CREATION)["TXCO"]
    assert env.results(BT.GEOHAZ)["TXCO"]["uri"] == txco["uri"]
    assert env.results(BT.GEOHAZ)["TXCO"]["geocoded_accounts"] > 0
