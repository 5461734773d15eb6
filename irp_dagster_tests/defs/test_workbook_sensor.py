"""The drop-folder sensor: a dropped workbook registers its cycle once per file content."""

from __future__ import annotations

import dagster as dg
import pytest
from sqlalchemy import select

from irp_dagster.defs.resources import DatabaseResource
from irp_dagster.defs.workbook_sensor import workbook_drop_sensor
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Cycle


@pytest.fixture
def drop_folder(tmp_path, monkeypatch):
    folder = tmp_path / "drop"
    folder.mkdir()
    monkeypatch.setenv("IRP_WORKBOOK_DIR", str(folder))
    return folder


def _tick(instance, database_url: str, cursor: str | None) -> dg.SensorResult:
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"database": DatabaseResource(url=database_url)}
    ) as context:
        return workbook_drop_sensor(context)


def _apply(instance, result: dg.SensorResult) -> None:
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))


def test_new_then_unchanged_then_changed_workbook(drop_folder, database_url, engine) -> None:
    (drop_folder / "2026-Q1.xlsx").write_bytes(b"first version")
    (drop_folder / "~$2026-Q1.xlsx").write_bytes(b"excel lock file")
    with dg.instance_for_test() as instance:
        first = _tick(instance, database_url, None)
        _apply(instance, first)
        assert [r.partition_key for r in first.run_requests] == ["2026-Q1"]
        assert first.run_requests[0].asset_selection == [dg.AssetKey("configuration")]
        assert instance.get_dynamic_partitions("cycles") == ["2026-Q1"]

        again = _tick(instance, database_url, first.cursor)
        assert not again.run_requests and not again.dynamic_partitions_requests
        # A lost cursor (sensor reset) asks again, under the same run key: Dagster drops it.
        (replayed,) = _tick(instance, database_url, None).run_requests
        assert replayed.run_key == first.run_requests[0].run_key

        (drop_folder / "2026-Q1.xlsx").write_bytes(b"second version")
        changed = _tick(instance, database_url, again.cursor)
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].run_key != first.run_requests[0].run_key
        assert not changed.dynamic_partitions_requests

    with transaction(engine) as session:
        (cycle,) = session.scalars(select(Cycle)).all()
        assert cycle.name == "2026-Q1"
        assert cycle.workbook_path == str((drop_folder / "2026-Q1.xlsx").resolve())


def test_no_drop_folder_skips(monkeypatch, sqlite_url) -> None:
    monkeypatch.delenv("IRP_WORKBOOK_DIR", raising=False)
    with dg.instance_for_test() as instance:
        result = _tick(instance, sqlite_url, None)
    assert isinstance(result, dg.SkipReason)
