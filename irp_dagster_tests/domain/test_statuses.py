"""The status state machines: legal moves pass, every other move raises a clear error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irp_dagster.domain.statuses import (
    BATCH_MOVES,
    CONFIGURATION_MOVES,
    CYCLE_MOVES,
    JOB_MOVES,
    JOB_TERMINAL,
    BatchStatus,
    ConfigurationStatus,
    CycleStatus,
    IllegalTransitionError,
    JobStatus,
    can_transition,
    map_moodys_status,
    transition,
)

MACHINES = [
    (JobStatus, JOB_MOVES),
    (BatchStatus, BATCH_MOVES),
    (ConfigurationStatus, CONFIGURATION_MOVES),
    (CycleStatus, CYCLE_MOVES),
]


@pytest.mark.parametrize(("enum", "moves"), MACHINES)
def test_every_status_has_a_row(enum, moves) -> None:
    assert set(moves) == set(enum)


@given(
    st.sampled_from(MACHINES).flatmap(
        lambda m: st.tuples(st.just(m), st.sampled_from(list(m[0])), st.sampled_from(list(m[0])))
    )
)
def test_transition_agrees_with_the_table(case) -> None:
    (_, moves), current, target = case
    if current == target or target in moves[current]:
        assert transition(current, target) is target
    else:
        with pytest.raises(IllegalTransitionError) as info:
            transition(current, target)
        assert str(current) in str(info.value) and str(target) in str(info.value)


@given(st.lists(st.sampled_from(list(JobStatus)), max_size=12))
def test_a_terminal_job_only_moves_to_forced_ok(path) -> None:
    status = JobStatus.INITIATED
    for target in path:
        if can_transition(status, target):
            previous, status = status, transition(status, target)
            if previous in JOB_TERMINAL and previous != status:
                assert status is JobStatus.FORCED_OK
                assert previous in (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.ERROR)


def test_finished_job_cannot_run_again() -> None:
    with pytest.raises(IllegalTransitionError, match="FINISHED -> RUNNING"):
        transition(JobStatus.FINISHED, JobStatus.RUNNING, entity_label="job 7")


def test_submission_needs_submitting_first() -> None:
    assert not can_transition(JobStatus.INITIATED, JobStatus.SUBMITTED)
    assert can_transition(JobStatus.SUBMITTING, JobStatus.SUBMITTED)


def test_finished_batch_can_be_reopened_but_superseded_configuration_is_final() -> None:
    assert transition(BatchStatus.FAILED, BatchStatus.ACTIVE) is BatchStatus.ACTIVE
    with pytest.raises(IllegalTransitionError, match="final status"):
        transition(ConfigurationStatus.SUPERSEDED, ConfigurationStatus.ACTIVE)


def test_mixed_enums_are_rejected() -> None:
    with pytest.raises(TypeError):
        transition(JobStatus.FAILED, BatchStatus.FAILED)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FINISHED", JobStatus.FINISHED),
        ("running", JobStatus.RUNNING),
        ("CANCEL_REQUESTED", JobStatus.CANCEL_REQUESTED),
        ("SUBMITTED", None),  # ours, never Moody's
        ("WEIRD_NEW_STATUS", None),
        (None, None),
    ],
)
def test_moodys_status_mapping(raw, expected) -> None:
    assert map_moodys_status(raw) is expected
