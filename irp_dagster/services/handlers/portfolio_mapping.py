"""Portfolio mapping (sync): the sub-portfolios of each base portfolio (the Portfolios rows with
Base = N in the same database and import file).

With ``IRP_DATABRIDGE_DATABASE_URL`` set, runs the customer's script
``{IRP_SQL_DIR}/portfolio_mapping/{cycle}/2b_Query_To_Create_Sub_Portfolios_{ImportFile}_RMS_BackEnd.sql``
on Data Bridge (placeholders EDM_FULL_NAME: the EDM's suffixed database name, PORTFOLIO_ID,
DATETIME_VALUE: a quoted date-time) and then checks every expected sub-portfolio is listed by
Moody's. Without it (demo, tests) the sub-portfolios are created through the Platform portfolio
API. Each sub-portfolio's ids and URI are the job's outcome, for the analyses that use it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.services.handlers import (
    BatchContext,
    SubmitHandler,
    SubmitOutcome,
    SubmitRejectedError,
    register,
)
from irp_dagster.services.handlers._common import (
    derived_key,
    ensure_portfolio,
    portfolio_outcome,
    portfolios_path,
    sync_outcome,
)
from irp_dagster.services.handlers._sql import cycle_folder, read_script, render, run_script
from irp_dagster.settings import Settings


def sub_portfolios(configuration: dict[str, Any], data: dict[str, Any]) -> list[str]:
    return [
        row["Portfolio"]
        for row in configuration.get("portfolios", [])
        if str(row.get("Base Portfolio?", "")).upper() == "N"
        and row.get("Database") == data["Database"]
        and row.get("Import File") == data["Import File"]
    ]


def mapping_script(sql_dir: Path, data: dict[str, Any]) -> Path:
    folder = cycle_folder((data.get("metadata") or {}).get("Cycle Type"))
    name = f"2b_Query_To_Create_Sub_Portfolios_{data['Import File']}_RMS_BackEnd.sql"
    return sql_dir / "portfolio_mapping" / folder / name


def _run_mapping_sql(settings: Settings, data: dict, base: dict, subs: list[str]) -> str:
    assert settings.databridge_database_url is not None
    path = mapping_script(Path(settings.sql_dir or "sql"), data)
    if not path.is_file() and not subs:
        return "no script, no sub-portfolios expected"
    values = {
        "EDM_FULL_NAME": base["database_name"],
        "PORTFOLIO_ID": base["portfolio_id"],
        "DATETIME_VALUE": f"'{datetime.now(UTC):%Y-%m-%d %H:%M:%S}'",
    }
    rows = run_script(
        settings.databridge_database_url.get_secret_value(), render(read_script(path), values)
    )
    return f"{path.name}: {rows} row(s)"


def _listed(client: MoodysClient, base: dict, subs: list[str]) -> dict[str, str]:
    rows = client.search(portfolios_path(base["exposure_id"]))
    found = {r["portfolioName"]: str(r["portfolioId"]) for r in rows}
    missing = sorted(set(subs) - set(found))
    if missing:
        raise SubmitRejectedError(
            f"The mapping script ran but Moody's lists no sub-portfolio {missing} in "
            f"{base.get('database_name')}"
        )
    return {name: found[name] for name in subs}


@register(BatchType.PORTFOLIO_MAPPING)
class PortfolioMappingHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context, "settings": Settings()}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        settings: Settings = prepared["settings"]
        base = context.result(BatchType.PORTFOLIO_CREATION, data["Portfolio"])
        subs = sub_portfolios(dict(context.configuration), data)
        if settings.databridge_database_url is not None:
            how = _run_mapping_sql(settings, data, base, subs)
            ids = _listed(client, base, subs)
        else:
            how = "Platform portfolio API (no Data Bridge SQL configured)"
            ids = {
                name: ensure_portfolio(
                    client, base["exposure_id"], name, derived_key(request_id, name), on_retry
                )[0]
                for name in subs
            }
        created = {name: portfolio_outcome(base, name, pid) for name, pid in ids.items()}
        return sync_outcome(
            request={"base_portfolio": data["Portfolio"], "sub_portfolios": subs, "how": how},
            response={"sub_portfolio_ids": ids},
            result={**base, "sub_portfolios": created},
        )
