"""Collecting outcomes: one job's missing outcome neither loses the others nor hides which."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.configurations import load_configuration, register_workbook
from irp_dagster.services.handlers.edm_creation import EdmCreationHandler
from irp_dagster.services.polling import poll_in_flight
from irp_dagster.services.recon import ResultCollectionError, collect_results
from irp_dagster.workbook import write_sample_workbook


def test_outcomes_are_kept_per_job_and_the_missing_one_is_named(
    engine, mock_server, moodys_client, tmp_path, monkeypatch
) -> None:
    register_workbook(engine, "c", write_sample_workbook(tmp_path / "sample.xlsx"))
    load_configuration(engine, "c")
    report = submit_batch(engine, moodys_client, "c", BatchType.EDM_CREATION)
    mock_server.state.advance(3600)
    poll_in_flight(engine, moodys_client)
    with transaction(engine) as session:
        jobs = list(session.scalars(select(Job).order_by(Job.id)))
        missing = jobs[0].job_configuration.data["Database"]
    assert jobs and all(j.status is JobStatus.FINISHED for j in jobs)
    real = EdmCreationHandler.collect_result

    def collect(self, client, data, job):
        if data["Database"] == missing:
            raise LookupError(f"EDM {missing!r} is not listed")
        return real(self, client, data, job)

    monkeypatch.setattr(EdmCreationHandler, "collect_result", collect)
    with pytest.raises(ResultCollectionError, match=f"job {jobs[0].id} .*{missing}"):
        collect_results(engine, moodys_client, report.batch_id)
    with transaction(engine) as session:
        rows = list(session.scalars(select(Job).order_by(Job.id)))
    assert rows[0].result is None and "Outcome not collected" in rows[0].last_error
    assert all(r.result for r in rows[1:])

    monkeypatch.setattr(EdmCreationHandler, "collect_result", real)
    assert collect_results(engine, moodys_client, report.batch_id) == 1  # only the missing one
