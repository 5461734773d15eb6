"""``workbook_drop_sensor``: a workbook dropped as ``IRP_WORKBOOK_DIR/<cycle>.xlsx`` starts a cycle.

Each new or changed file registers its cycle (adding the dynamic partition) and requests the
``configuration`` materialization once per file content: the content hash is the run key.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from irp_dagster.defs.partitions import cycles
from irp_dagster.defs.resources import DatabaseResource
from irp_dagster.services.configurations import CycleNotActiveError, register_workbook
from irp_dagster.settings import Settings


def dropped_workbooks(folder: Path) -> dict[str, Path]:
    """``{cycle: path}`` of the ``*.xlsx`` files in ``folder`` (Excel lock files ignored)."""
    return {
        path.stem: path
        for path in sorted(folder.glob("*.xlsx"))
        if path.is_file() and not path.name.startswith("~$")
    }


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dg.sensor(
    name="workbook_drop_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=dg.AssetSelection.assets("configuration"),
    description="Registers workbooks dropped in IRP_WORKBOOK_DIR and loads their configuration.",
)
def workbook_drop_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult | dg.SkipReason:
    folder = Settings().workbook_dir
    if folder is None or not folder.is_dir():
        return dg.SkipReason(f"No drop folder (IRP_WORKBOOK_DIR={folder})")
    engine = database.engine()
    known = set(context.instance.get_dynamic_partitions(cycles.name))
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    new_cycles: list[str] = []
    requests: list[dg.RunRequest] = []
    for cycle, path in dropped_workbooks(folder).items():
        digest = content_hash(path)
        if seen.get(cycle) == digest and cycle in known:
            continue
        try:
            register_workbook(engine, cycle, path)
        except CycleNotActiveError as error:
            context.log.warning("Ignoring %s: %s", path.name, error)
            continue
        seen[cycle] = digest
        if cycle not in known:
            new_cycles.append(cycle)
        requests.append(
            dg.RunRequest(
                run_key=f"workbook:{cycle}:{digest}",
                partition_key=cycle,
                asset_selection=[dg.AssetKey("configuration")],
                tags={"irp/workbook": path.name},
            )
        )
    return dg.SensorResult(
        run_requests=requests,
        cursor=json.dumps(seen, sort_keys=True),
        dynamic_partitions_requests=[cycles.build_add_request(new_cycles)] if new_cycles else [],
    )
