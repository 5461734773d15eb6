"""Two submitters of the same job (a run and the recovery sweep) never break the job's state."""

from __future__ import annotations

from sqlalchemy import select

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job
from irp_dagster.persistence.repository import set_job_status
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.configurations import load_configuration, register_workbook
from irp_dagster.workbook import write_sample_workbook


def test_a_job_moved_on_by_another_submitter_is_left_as_it_is(
    engine, mock_server, moodys_client, tmp_path, monkeypatch
) -> None:
    register_workbook(engine, "c", write_sample_workbook(tmp_path / "sample.xlsx"))
    load_configuration(engine, "c")
    real_submit = MoodysClient.submit

    def submit_while_someone_else_finishes_first(self, path, body, request_id, **kw):
        job = real_submit(self, path, body, request_id, **kw)
        with transaction(engine) as session:  # the other submitter records it, a poll moves it
            row = session.scalars(select(Job).where(Job.request_id == request_id)).one_or_none()
            if row is None:  # an auxiliary call (e.g. the exposure set) with a derived key
                return job
            row.moodys_job_id = job.job_id
            set_job_status(row, JobStatus.SUBMITTED)
            set_job_status(row, JobStatus.RUNNING)
        return job

    monkeypatch.setattr(MoodysClient, "submit", submit_while_someone_else_finishes_first)
    report = submit_batch(engine, moodys_client, "c", BatchType.EDM_CREATION)
    assert report.errors == {}
    with transaction(engine) as session:
        jobs = list(session.scalars(select(Job)))
    assert jobs and all(j.status is JobStatus.RUNNING for j in jobs)
    assert all(mock_server.state.workflows_for_request_id(j.request_id) == 1 for j in jobs)
