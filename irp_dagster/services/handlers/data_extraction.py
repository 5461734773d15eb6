"""Data extraction (sync, local): the account and location import files of a base portfolio.

With ``IRP_SOURCE_DATABASE_URL`` set, runs the customer's scripts
``{IRP_SQL_DIR}/import_files/{cycle}/2_Create_{ImportFile}_Moodys_ImportFile_{Account,Location}.sql``
(placeholders DATE_VALUE, CYCLE_TYPE) against it; otherwise writes the built-in sample data.
Either way the TAB-delimited files land under ``IRP_HOME/data/<cycle>`` and their paths are the
job's outcome, which MRI import uploads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.sample_data import sample_exposure
from irp_dagster.services.handlers import BatchContext, SubmitHandler, SubmitOutcome, register
from irp_dagster.services.handlers._common import sync_outcome
from irp_dagster.services.handlers._sql import cycle_folder, read_script, render, run_script
from irp_dagster.settings import Settings

DELIMITER = "TAB"
KINDS = (("Account", "accounts_import_file"), ("Location", "locations_import_file"))


def extraction_script(sql_dir: Path, data: dict[str, Any], kind: str) -> Path:
    folder = sql_dir / "import_files" / cycle_folder(data.get("cycle_type"))
    return folder / f"2_Create_{data['Import File']}_Moodys_ImportFile_{kind}.sql"


def _from_sql(settings: Settings, data: dict[str, Any], folder: Path) -> dict[str, int]:
    assert settings.source_database_url is not None
    sql_dir = Path(settings.sql_dir or "sql")
    values = {"DATE_VALUE": data.get("date_value"), "CYCLE_TYPE": data.get("cycle_type")}
    scripts = {kind: read_script(extraction_script(sql_dir, data, kind)) for kind, _ in KINDS}
    url = settings.source_database_url.get_secret_value()
    return {
        kind: run_script(url, render(scripts[kind], values), folder / data[file_key])
        for kind, file_key in KINDS
    }


def _from_sample(data: dict[str, Any], folder: Path) -> dict[str, int]:
    frames = dict(zip(("Account", "Location"), sample_exposure(data["Import File"]), strict=True))
    for kind, file_key in KINDS:
        frames[kind].to_csv(folder / data[file_key], sep="\t", index=False)
    return {kind: len(frame) for kind, frame in frames.items()}


@register(BatchType.DATA_EXTRACTION)
class DataExtractionHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        settings = Settings()
        folder = settings.home.resolve() / "data" / context.cycle
        folder.mkdir(parents=True, exist_ok=True)
        return {"settings": settings, "folder": folder}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        settings: Settings = prepared["settings"]
        folder: Path = prepared["folder"]
        source = "sql" if settings.source_database_url is not None else "sample"
        counts = (
            _from_sql(settings, data, folder) if source == "sql" else _from_sample(data, folder)
        )
        return sync_outcome(
            request={"import_file": data["Import File"], "source": source},
            response={"rows": counts},
            result={
                "import_file": data["Import File"],
                "accounts_file": str(folder / data["accounts_import_file"]),
                "locations_file": str(folder / data["locations_import_file"]),
                "delimiter": DELIMITER,
                "accounts": counts["Account"],
                "locations": counts["Location"],
                "source": source,
            },
        )
