"""Webhook notifications against a local HTTP receiver: batch FAILED/ERROR transitions (once
each) and failed runs; off without ``IRP_NOTIFY_WEBHOOK_URL``; the URL never logged."""

from __future__ import annotations

import logging

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from irp_dagster.defs import notifications as nt
from irp_dagster.defs.operator_jobs import operator_force_ok_job
from irp_dagster.defs.resources import DatabaseResource, MoodysResource
from irp_dagster.domain.statuses import BatchStatus, JobStatus
from irp_dagster.services import operators as ops
from irp_dagster.services.recon import reconcile_batch
from irp_dagster_tests.operators._support import build_batch, fail_at_moodys

S = JobStatus
HOOK = "/hooks/T000/B000/secret-token"


@pytest.fixture
def webhook(recorder, monkeypatch) -> str:
    url = f"{recorder.base_url}{HOOK}"
    monkeypatch.setenv(nt.URL_ENV, url)
    return url


def _tick(database_url, cursor=None):
    with dg.build_sensor_context(
        cursor=cursor, resources={"database": DatabaseResource(url=database_url)}
    ) as context:
        result = nt.batch_failure_notification_sensor(context)
        return result, context.cursor


def test_slack_and_teams_payloads(recorder, webhook):
    assert nt.WebhookResource(url=webhook).send("Title", "body")
    assert nt.WebhookResource(url=webhook, kind="teams").send("Title", "body")
    slack, teams = recorder.calls
    assert (slack.method, slack.path, slack.body) == ("POST", HOOK, {"text": "*Title*\nbody"})
    assert teams.body["@type"] == "MessageCard" and teams.body["title"] == "Title"


def test_a_failing_webhook_is_logged_without_its_url(recorder, webhook, caplog):
    recorder.answers[("POST", HOOK)] = (500, {"error": "down"})
    with caplog.at_level(logging.WARNING):
        assert not nt.WebhookResource(url=webhook).send("t", "x")
    assert "HTTPStatusError" in caplog.text and "secret-token" not in caplog.text


def test_batch_failure_is_announced_once_per_transition(engine, database_url, recorder, webhook):
    built = build_batch(engine, [S.FAILED, S.FINISHED])
    skip, cursor = _tick(database_url)  # first tick: start following from now
    assert "Started" in skip.skip_message and not recorder.calls

    assert reconcile_batch(engine, built.batch_id).status is BatchStatus.FAILED
    skip, cursor = _tick(database_url, cursor)
    (call,) = recorder.calls
    assert call.path == HOOK
    assert "edm_creation batch FAILED in cycle 2026-Q1" in call.body["text"]
    assert f"Jobs failed: {built.job_ids[0]}." in call.body["text"]
    assert "1 of 2 configurations fulfilled" in call.body["text"]

    reconcile_batch(engine, built.batch_id)  # FAILED again: no news
    _, cursor = _tick(database_url, cursor)
    assert len(recorder.calls) == 1

    retry = ops.resubmit_job(engine, built.job_ids[0], actor="a").new_job_ids[0]
    assert reconcile_batch(engine, built.batch_id).status is BatchStatus.ACTIVE
    _, cursor = _tick(database_url, cursor)
    fail_at_moodys(engine, retry)
    reconcile_batch(engine, built.batch_id)
    _tick(database_url, cursor)
    assert len(recorder.calls) == 2
    assert f"Jobs failed: {retry}." in recorder.calls[-1].body["text"]


def test_notifications_are_off_without_a_webhook(engine, database_url, recorder, monkeypatch):
    monkeypatch.delenv(nt.URL_ENV, raising=False)
    built = build_batch(engine, [S.ERROR])
    _, cursor = _tick(database_url)
    reconcile_batch(engine, built.batch_id)
    skip, _ = _tick(database_url, cursor)
    assert "not set; 1 failure(s) not announced" in skip.skip_message
    assert not recorder.calls
    assert nt._default_status() is dg.DefaultSensorStatus.STOPPED


@dg.op
def _explodes() -> None:
    raise RuntimeError("Moody's is on fire")


@dg.job(tags={"dagster/partition": "2026-Q1"})
def _doomed_job() -> None:
    _explodes()


def _failure_context(instance, result):
    run = instance.get_run_by_id(result.run_id)
    (record,) = instance.get_records_for_run(
        result.run_id, of_type=DagsterEventType.RUN_FAILURE
    ).records
    return dg.build_run_status_sensor_context(
        sensor_name="run_failure_notification_sensor",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=record.event_log_entry.dagster_event,
    ).for_run_failure()


def test_failed_run_is_announced_but_not_a_refused_operator_action(database_url, recorder, webhook):
    instance = dg.DagsterInstance.ephemeral()
    failed = _doomed_job.execute_in_process(instance=instance, raise_on_error=False)
    nt.run_failure_notification_sensor(_failure_context(instance, failed))
    (call,) = recorder.calls
    assert "run of _doomed_job failed (cycle 2026-Q1)" in call.body["text"]
    assert failed.run_id in call.body["text"]

    refused = operator_force_ok_job.execute_in_process(
        run_config={"ops": {"operator_force_ok_job_op": {"config": {"job_id": 1, "reason": "r"}}}},
        resources={
            "database": DatabaseResource(url=database_url),
            "moodys": MoodysResource(
                base_url="http://127.0.0.1:9", api_key="k", resource_group_id="r"
            ),
        },
        instance=instance,
        raise_on_error=False,
    )
    assert not refused.success
    nt.run_failure_notification_sensor(_failure_context(instance, refused))
    assert len(recorder.calls) == 1
