"""The code location as `dagster dev` and the gRPC server load it."""

from __future__ import annotations

from irp_dagster.definitions import defs
from irp_dagster.defs.batch_assets import IMPLEMENTED, batch_key, results_key
from irp_dagster.defs.sensors import NON_SUBMITTING_JOBS


def test_every_implemented_batch_type_has_its_asset_pair_and_sensors_exist() -> None:
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    for batch_type in IMPLEMENTED:
        assert {batch_key(batch_type), results_key(batch_type)} <= keys
    sensors = {s.name for s in defs.sensors or []}
    assert {"moodys_job_sensor", "cycle_automation_sensor", "workbook_drop_sensor"} <= sensors


def test_jobs_the_sensor_treats_as_non_submitting_exist() -> None:
    """A renamed operator job would silently hold back the sensor's top-up."""
    names = {job.name for job in defs.resolve_all_job_defs()}
    assert names >= NON_SUBMITTING_JOBS
