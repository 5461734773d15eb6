"""Which jobs may go to Moody's now: rollups wait for the rollups they contain, RDM exports for
the RDM (created by the seed, or by the next export when the seed ended without one)."""

from __future__ import annotations

from irp_dagster.domain.batch_types import BatchType as BT
from irp_dagster.domain.transformers import transform
from irp_dagster.services.handlers import BatchContext, handler_for
from irp_dagster.workbook import validate_workbook

DATE = "202606"


class _Client:
    """The one look-up the RDM handler's prepare makes."""

    def find_dataserver_id(self, name: str) -> str:
        return "1001"


def _ready(batch_type: BT, config: dict, **context) -> dict[str, bool]:
    handler = handler_for(batch_type)
    prepared = handler.prepare(_Client(), BatchContext("c", configuration=config, **context))
    return {s.key: handler.ready(s.data, prepared) for s in transform(batch_type, config)}


def test_a_rollup_waits_until_the_rollup_it_contains_has_ended(sample_workbook) -> None:
    config = validate_workbook(sample_workbook).configuration
    inner, outer = f"{DATE}_HU_LT_Rollup", f"{DATE}_Cat_Portfolio_Rollup"
    grouped = {BT.GROUPING: frozenset(s.key for s in transform(BT.GROUPING, config))}
    assert _ready(BT.GROUPING_ROLLUP, config) == {inner: True, outer: False}
    assert _ready(BT.GROUPING_ROLLUP, config, ended=grouped) == {inner: True, outer: False}
    ended = {**grouped, BT.GROUPING_ROLLUP: frozenset({inner})}  # finished or failed alike
    assert _ready(BT.GROUPING_ROLLUP, config, ended=ended) == {inner: True, outer: True}
    assert all(_ready(BT.GROUPING, config).values())


def test_exports_wait_for_the_rdm_and_the_next_export_creates_it_if_the_seed_could_not(
    sample_workbook,
) -> None:
    config = validate_workbook(sample_workbook).configuration
    keys = [s.key for s in transform(BT.RDM_EXPORT, config)]

    def ready(**context) -> list[str]:
        return [k for k, ok in _ready(BT.RDM_EXPORT, config, **context).items() if ok]

    assert ready() == [keys[0]]
    assert ready(ended={BT.RDM_EXPORT: frozenset(keys[:2])}) == [keys[2]]
    recorded = {BT.RDM_EXPORT: {keys[2]: {"database_id": "1200", "created_rdm": True}}}
    assert ready(ended={BT.RDM_EXPORT: frozenset(keys[:3])}, results=recorded) == keys
