"""Data extraction (sync, local) and MRI import (folder + upload + import job).

Data extraction runs the customer's SQL files against ``IRP_SOURCE_DATABASE_URL`` when set,
else writes the built-in sample data; either way the CSVs land under ``IRP_HOME/data/<cycle>``
and their paths are the job's outcome, which MRI import uploads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from irp_dagster.domain.batch_types import BatchType, JobFamily
from irp_dagster.moodys.client import MoodysClient
from irp_dagster.sample_data import sample_exposure
from irp_dagster.services.handlers import BatchContext, SubmitHandler, SubmitOutcome, register
from irp_dagster.services.handlers.edm_creation import derived_key
from irp_dagster.settings import Settings


def _extract(data: dict[str, Any], settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    if settings.source_database_url is None:
        return sample_exposure(data["Import File"])
    from sqlalchemy import create_engine, text

    folder = (
        "test"
        if "test" in str(data.get("cycle_type", "")).lower()
        else str(data.get("cycle_type", "quarterly")).lower()
    )
    sql_dir = Path(settings.sql_dir or "sql") / "import_files" / folder
    params = {"DATE_VALUE": data.get("date_value"), "CYCLE_TYPE": data.get("cycle_type")}
    engine = create_engine(settings.source_database_url.get_secret_value())
    frames = []
    with engine.connect() as connection:
        for kind in ("Account", "Location"):
            script = sql_dir / f"2_Create_{data['Import File']}_Moodys_ImportFile_{kind}.sql"
            if not script.is_file():
                raise FileNotFoundError(f"Data extraction script {script} does not exist")
            frames.append(pd.read_sql(text(script.read_text()), connection, params=params))
    engine.dispose()
    return frames[0], frames[1]


@register(BatchType.DATA_EXTRACTION)
class DataExtractionHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        settings = Settings()
        folder = settings.home.resolve() / "data" / context.cycle
        folder.mkdir(parents=True, exist_ok=True)
        return {"settings": settings, "folder": folder}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        accounts, locations = _extract(data, prepared["settings"])
        folder: Path = prepared["folder"]
        accounts_file = folder / data["accounts_import_file"]
        locations_file = folder / data["locations_import_file"]
        accounts.to_csv(accounts_file, index=False)
        locations.to_csv(locations_file, index=False)
        result = {
            "accounts_file": str(accounts_file),
            "locations_file": str(locations_file),
            "accounts": len(accounts),
            "locations": len(locations),
        }
        return SubmitOutcome(
            family=JobFamily.SYNC,
            moodys_job_id=None,
            moodys_url=None,
            request={"import_file": data["Import File"]},
            result=result,
        )


@register(BatchType.MRI_IMPORT)
class MriImportHandler(SubmitHandler):
    def prepare(self, client: MoodysClient, context: BatchContext) -> dict[str, Any]:
        return {"context": context}

    def submit(self, client, data, request_id, prepared, on_retry) -> SubmitOutcome:
        context: BatchContext = prepared["context"]
        portfolio = context.result(BatchType.PORTFOLIO_CREATION, data["Portfolio"])
        files = context.result(BatchType.DATA_EXTRACTION, data["Portfolio"])
        folder = client.create_folder(
            {
                "folderType": "MRI",
                "properties": {
                    "fileExtension": "csv",
                    "fileTypes": ["accountsFile", "locationsFile"],
                },
            },
            derived_key(request_id, "folder"),
        )
        uploads = folder["uploadDetails"]
        for file_type, path in (
            ("accountsFile", files["accounts_file"]),
            ("locationsFile", files["locations_file"]),
        ):
            client.upload(uploads[file_type]["uploadUrl"], Path(path).read_bytes())
        body = {
            "importType": "MRI",
            "resourceUri": portfolio["uri"],
            "settings": {"folderId": int(folder["folderId"]), "delimiter": "COMMA"},
        }
        job = client.submit("/platform/import/v1/jobs", body, request_id, on_retry=on_retry)
        return SubmitOutcome(
            family=JobFamily.PLATFORM,
            moodys_job_id=job.job_id,
            moodys_url=job.location,
            request={"path": "/platform/import/v1/jobs", "body": body},
            response={
                "status_code": job.status_code,
                "location": job.location,
                "folder_id": folder["folderId"],
            },
        )

    def collect_result(self, client: MoodysClient, data: dict[str, Any]) -> dict[str, Any]:
        return {"portfolio_name": data["Portfolio"], "imported": True}
