"""Job payloads in the shapes observed on a real tenant (moodys-api.md §2)."""

from __future__ import annotations

from typing import Any

from mock_moodys.clock import Clock, iso_ms, iso_s
from mock_moodys.jobs import Job, Snapshot


def _summary(job: Job, snap: Snapshot) -> str:
    if snap.status == "FINISHED":
        return f"{job.type} is successful"
    if snap.status == "FAILED":
        return job.message or f"{job.type} failed"
    if snap.status == "CANCELLED":
        return f"{job.type} is cancelled"
    return f"{job.type} is {snap.status.lower()}"


def _task_output(job: Job, snap: Snapshot, name: str, status: str) -> dict[str, Any]:
    output: dict[str, Any] = {"summary": f"{name} {status.lower()}", "errors": [], "log": {}}
    if status == "Failed":
        output["errors"] = [{"message": job.message or f"{name} failed"}]
    log = job.output.get("taskLogs", {}).get(name)
    if log and status == "Succeeded":
        output["log"] = dict(log)
    return output


def _messages(job: Job, snap: Snapshot) -> list[dict[str, str]]:
    if snap.status == "FAILED":
        return [{"message": job.message or f"{job.type} failed", "type": "ERROR"}]
    if snap.status == "CANCELLED":
        return [{"message": job.message or f"{job.type} was cancelled", "type": "INFO"}]
    return []


def _times(
    payload: dict[str, Any], snap: Snapshot, clock: Clock, names: tuple[str, str], fmt
) -> None:
    for name, moment in zip(names, (snap.started, snap.ended), strict=True):
        if moment is not None:
            payload[name] = fmt(clock.at(moment))


def _common(job: Job, snap: Snapshot) -> dict[str, Any]:
    return {
        "name": job.name,
        "type": job.type,
        "progress": snap.progress,
        "priority": job.priority,
        "entitlement": job.entitlement,
        "resourceGroupId": job.resource_group_id,
        "messages": _messages(job, snap),
    }


def platform_job(job: Job, snap: Snapshot, clock: Clock) -> dict[str, Any]:
    """A Platform job: ``jobId`` string, ``details {resources, summary}``, ``tasks[]``."""
    submitted = iso_ms(clock.at(job.submitted))
    payload: dict[str, Any] = {
        "jobId": str(job.id),
        "userName": job.user_name,
        "status": snap.status,
        "submittedAt": submitted,
    }
    _times(payload, snap, clock, ("startedAt", "endedAt"), iso_ms)
    payload.update(_common(job, snap))
    payload.update(
        details={
            "resources": [{"uri": uri} for uri in job.resources],
            "summary": _summary(job, snap),
        },
        warnings=[],
    )
    tasks = []
    guids: list[str] = []
    for index, (name, status, percent) in enumerate(job.task_states(snap)):
        guid = job.task_guid(index)
        tasks.append(
            {
                "taskId": str(index + 1),
                "guid": guid,
                "jobId": str(job.id),
                "status": status,
                "submittedAt": submitted,
                "createdAt": submitted,
                "name": name,
                "percentComplete": percent,
                "priorTaskGuids": list(guids),
                "output": _task_output(job, snap, name, status),
            }
        )
        guids.append(guid)
    payload["tasks"] = tasks
    return payload


def workflow(job: Job, snap: Snapshot, clock: Clock) -> dict[str, Any]:
    """A legacy v1 workflow: integer ``id``, ``submitTime`` with ms, ``jobs[]``."""
    submitted = iso_ms(clock.at(job.submitted))
    payload: dict[str, Any] = {
        "id": job.id,
        "tenantName": job.params.get("tenantName", "mock-tenant"),
        "userName": job.user_name,
        "status": snap.status,
        "submitTime": submitted,
    }
    _times(payload, snap, clock, ("startTime", "endTime"), iso_s)
    jobs = []
    for index, (name, status, percent) in enumerate(job.task_states(snap)):
        output = dict(job.output.get("jobOutput", {})) if status == "Succeeded" else {}
        if status == "Failed":
            output["errors"] = job.message or f"{name} failed"
        jobs.append(
            {
                "id": job.task_guid(index),
                "taskId": index + 1,
                "workflowId": job.id,
                "status": status,
                "submitTime": submitted,
                "createdAt": submitted,
                "name": name,
                "input": {"name": job.name},
                "output": output,
                "percentComplete": percent,
                "continueOnFailure": False,
            }
        )
    summary = dict(job.output.get("summary", {})) if snap.status == "FINISHED" else {}
    if snap.status != "FINISHED":
        summary["status"] = _summary(job, snap)
    payload.update(_common(job, snap))
    payload.update(jobs=jobs, summary=summary, output={})
    return payload
