"""Failures on the mock, resubmitted through the operator service: a job failing in the middle of
the chain stops the cycle there (the next batch is never created) until it is resubmitted; a
failed RDM seed export hands the RDM's creation to the next export, and the resubmitted seed
exports into that RDM."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from irp_dagster.domain.batch_types import BatchType as BT
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Job, JobConfiguration
from irp_dagster.services.operators import resubmit_job
from irp_dagster.workbook import validate_workbook
from irp_dagster_tests.cycle.test_full_cycle import EXPECTED_JOBS

AFTER_GEOHAZ = {
    str(t)
    for t in (BT.PORTFOLIO_MAPPING, BT.ANALYSIS, BT.GROUPING, BT.GROUPING_ROLLUP, BT.RDM_EXPORT)
}


def _jobs(engine, batch_type: BT, key: str) -> list[Job]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(Job)
                .join(JobConfiguration, Job.job_configuration_id == JobConfiguration.id)
                .join(Batch, Job.batch_id == Batch.id)
                .where(Batch.batch_type == batch_type, JobConfiguration.key == key)
                .order_by(Job.id)
            )
        )


def _fail_next(env, match: dict, message: str) -> None:
    httpx.post(
        f"{env.mock.base_url}/_mock/outcomes",
        json={"match": match, "outcome": "FAILED", "message": message, "next_n": 1},
    ).raise_for_status()


def test_failures_stop_or_reroute_the_chain_and_resubmissions_complete_it(
    cycle_env, sample_workbook
) -> None:
    env = cycle_env
    _fail_next(
        env,
        {"type": "GEOHAZ", "name_like": "*: PORTFOLIO: TXCO"},
        "GEOHAZ-0042: hazard service unavailable",
    )
    _fail_next(env, {"type": "RDM_DATABRIDGE"}, "EXPORT-0007: Data Bridge is full")
    env.driver.start()
    stopped = env.driver.run_until_done(timeout_seconds=120)

    statuses = stopped.batch_statuses
    assert statuses.pop(str(BT.GEOHAZ)) == "FAILED"
    assert not AFTER_GEOHAZ & set(statuses)  # downstream batches were never created
    assert set(statuses.values()) == {"COMPLETED"}
    (failed,) = _jobs(env.engine, BT.GEOHAZ, "TXCO")
    assert failed.status is JobStatus.FAILED
    assert "hazard service unavailable" in failed.last_error

    action = resubmit_job(env.engine, failed.id, actor="cycle-test", reason="service is back")
    assert len(action.new_job_ids) == 1
    resumed = env.driver.run_until_done(timeout_seconds=120)

    old, new = _jobs(env.engine, BT.GEOHAZ, "TXCO")
    assert (old.id, old.skipped, old.status) == (failed.id, True, JobStatus.FAILED)
    assert (new.parent_job_id, new.status) == (failed.id, JobStatus.FINISHED)
    assert new.request_id != old.request_id
    txco = env.results(BT.PORTFOLIO_CREATION)["TXCO"]
    assert env.results(BT.GEOHAZ)["TXCO"]["uri"] == txco["uri"]
    assert env.results(BT.GEOHAZ)["TXCO"]["geocoded_accounts"] > 0

    # The seed export failed: the next export created the RDM, the others exported into it.
    statuses = resumed.batch_statuses
    assert statuses.pop(str(BT.RDM_EXPORT)) == "FAILED"
    assert set(statuses.values()) == {"COMPLETED"}
    analyses = [
        r["Analysis Name"]
        for r in validate_workbook(sample_workbook).configuration["analysis_table"]
    ]
    (seed,) = _jobs(env.engine, BT.RDM_EXPORT, analyses[0])
    assert seed.status is JobStatus.FAILED and "Data Bridge is full" in seed.last_error
    exports = env.results(BT.RDM_EXPORT)
    assert exports[analyses[1]]["created_rdm"]
    assert {r["database_id"] for r in exports.values()} == {exports[analyses[1]]["database_id"]}

    resubmit_job(env.engine, seed.id, actor="cycle-test", reason="space freed")
    completed = env.driver.run_until_done(timeout_seconds=120)

    assert completed.batch_statuses == {str(t): "COMPLETED" for t in EXPECTED_JOBS}
    assert {s.batch_type: s.jobs for s in completed.summaries} == {
        str(t): n for t, n in EXPECTED_JOBS.items()
    }
    exports = env.results(BT.RDM_EXPORT)
    assert not exports[analyses[0]]["created_rdm"]  # the resubmitted seed used the RDM
    (rdm,) = [d for d in env.store("databases") if d["type"] == "RDM"]
    assert {r["database_id"] for r in exports.values()} == {str(rdm["databaseId"])}
    assert len(rdm["analysisIds"]) == EXPECTED_JOBS[BT.RDM_EXPORT]
