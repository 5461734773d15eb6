"""Data extraction and portfolio mapping with SQL configured: the customer's scripts run against
real databases (SQLite files standing in for the source SQL Server and Data Bridge)."""

from __future__ import annotations

import csv
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from irp_dagster.domain.batch_types import BatchType as BT
from irp_dagster.domain.statuses import JobStatus
from irp_dagster.domain.transformers import transform
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Job, JobConfiguration
from irp_dagster.services.batches import submit_batch
from irp_dagster.services.configurations import load_configuration, register_workbook
from irp_dagster.services.handlers import BatchContext, SubmitRejectedError, handler_for
from irp_dagster.services.handlers._common import portfolio_outcome
from irp_dagster.workbook import validate_workbook

CYCLE = "2026-Q2"
ACCOUNT_SQL = """-- Account file for the {{ CYCLE_TYPE }} cycle {{ DATE_VALUE }}
DROP TABLE IF EXISTS Modeling_{{ DATE_VALUE }}_Account;
CREATE TABLE Modeling_{{ DATE_VALUE }}_Account AS
    SELECT accnt AS ACCNTNUM, name AS ACCNTNAME FROM exposure WHERE period = '{{ DATE_VALUE }}';
SELECT * FROM Modeling_{{ DATE_VALUE }}_Account ORDER BY ACCNTNUM;
"""
LOCATION_SQL = """SELECT accnt AS ACCNTNUM, accnt || '-L1' AS LOCNUM, state AS STATECODE
FROM exposure WHERE period = '{{ DATE_VALUE }}' ORDER BY accnt;
"""


def _source(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE exposure (accnt TEXT, name TEXT, state TEXT, period TEXT)")
        db.executemany(
            "INSERT INTO exposure VALUES (?, ?, ?, ?)",
            [
                ("A2", "Insured 2", "FL", "202606"),
                ("A1", "Insured\t1", "FL", "202606"),
                ("OLD", "Last year", "TX", "202506"),
            ],
        )
    return f"sqlite:///{path}"


def test_data_extraction_runs_the_scripts_and_records_the_files(
    engine, moodys_client, sample_workbook, tmp_path, monkeypatch
) -> None:
    sql_dir = tmp_path / "sql"
    folder = sql_dir / "import_files" / "quarterly"
    folder.mkdir(parents=True)
    for import_file in ("FLHO", "FLCONDO", "TXCO", "CAEQ"):  # CAWF's scripts are missing
        stem = f"2_Create_{import_file}_Moodys_ImportFile"
        (folder / f"{stem}_Account.sql").write_text(ACCOUNT_SQL)
        (folder / f"{stem}_Location.sql").write_text(LOCATION_SQL)
    monkeypatch.setenv("IRP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("IRP_SQL_DIR", str(sql_dir))
    monkeypatch.setenv("IRP_SOURCE_DATABASE_URL", _source(tmp_path / "source.sqlite"))
    register_workbook(engine, CYCLE, sample_workbook)
    load_configuration(engine, CYCLE)

    report = submit_batch(engine, moodys_client, CYCLE, BT.DATA_EXTRACTION)

    with transaction(engine) as session:
        jobs = {
            key: job
            for key, job in session.execute(
                select(JobConfiguration.key, Job).join(
                    Job, Job.job_configuration_id == JobConfiguration.id
                )
            )
        }
    assert set(report.errors) == {jobs["CAWF"].id}
    assert jobs["CAWF"].status is JobStatus.ERROR
    assert "2_Create_CAWF_Moodys_ImportFile_Account.sql does not exist" in jobs["CAWF"].last_error
    result = jobs["FLHO"].result
    assert jobs["FLHO"].status is JobStatus.FINISHED
    assert (result["source"], result["accounts"], result["locations"]) == ("sql", 2, 2)
    assert Path(result["accounts_file"]).parent == tmp_path / "home" / "data" / CYCLE
    with open(result["accounts_file"], newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert rows == [["ACCNTNUM", "ACCNTNAME"], ["A1", "Insured\t1"], ["A2", "Insured 2"]]


MAPPING_SQL = """-- breaks {{ PORTFOLIO_ID }} of [{{ EDM_FULL_NAME }}] out into its sub-portfolios
INSERT INTO portinfo (edm, parent, portname, createdate)
    VALUES ('{{ EDM_FULL_NAME }}', {{ PORTFOLIO_ID }}, 'FLHO_Coastal', {{ DATETIME_VALUE }});
INSERT INTO portinfo (edm, parent, portname, createdate)
    VALUES ('{{ EDM_FULL_NAME }}', {{ PORTFOLIO_ID }}, 'FLHO_Inland', {{ DATETIME_VALUE }});
SELECT portname FROM portinfo WHERE edm = '{{ EDM_FULL_NAME }}';
"""


@pytest.fixture
def mapping(mock_server, moodys_client, sample_workbook, tmp_path, monkeypatch):
    """The FLHO base portfolio at Moody's, a Data Bridge database and the mapping handler."""
    bridge = tmp_path / "bridge.sqlite"
    with sqlite3.connect(bridge) as db:
        db.execute("CREATE TABLE portinfo (edm TEXT, parent INT, portname TEXT, createdate TEXT)")
    monkeypatch.setenv("IRP_DATABRIDGE_DATABASE_URL", f"sqlite:///{bridge}")
    monkeypatch.setenv("IRP_SQL_DIR", str(tmp_path / "sql"))
    store = mock_server.state.store
    exposure = store.add("exposures", "exposureId", {"exposureName": "E", "databaseName": "E_Abcd"})
    exposure_id = exposure["exposureId"]
    base = store.add(
        "portfolios", "portfolioId", {"portfolioName": "FLHO", "_exposureId": exposure_id}
    )
    edm = {"exposure_id": str(exposure_id), "exposure_name": "E", "database_name": "E_Abcd"}
    config = validate_workbook(sample_workbook).configuration
    specs = {s.key: s.data for s in transform(BT.PORTFOLIO_MAPPING, config)}
    context = BatchContext(
        cycle=CYCLE,
        configuration=config,
        results={
            BT.PORTFOLIO_CREATION: {
                name: portfolio_outcome(edm, name, str(base["portfolioId"]))
                for name in ("FLHO", "CAWF")
            }
        },
    )
    handler = handler_for(BT.PORTFOLIO_MAPPING)
    prepared = handler.prepare(moodys_client, context)

    def run(key: str):
        return handler.submit(moodys_client, specs[key], str(uuid.uuid4()), prepared, None)

    return run, store, exposure_id, bridge, base["portfolioId"]


def test_mapping_script_runs_on_data_bridge_and_moodys_must_list_the_sub_portfolios(
    mapping, tmp_path
) -> None:
    run, store, exposure_id, bridge, base_id = mapping
    script = tmp_path / "sql" / "portfolio_mapping" / "quarterly"
    script.mkdir(parents=True)
    name = "2b_Query_To_Create_Sub_Portfolios_FLHO_RMS_BackEnd.sql"
    (script / name).write_text(MAPPING_SQL)
    coastal = store.add(
        "portfolios", "portfolioId", {"portfolioName": "FLHO_Coastal", "_exposureId": exposure_id}
    )
    with pytest.raises(SubmitRejectedError, match=r"no sub-portfolio \['FLHO_Inland'\]"):
        run("FLHO")
    inland = store.add(
        "portfolios", "portfolioId", {"portfolioName": "FLHO_Inland", "_exposureId": exposure_id}
    )
    outcome = run("FLHO")

    subs = outcome.result["sub_portfolios"]
    assert {n: s["portfolio_id"] for n, s in subs.items()} == {
        "FLHO_Coastal": str(coastal["portfolioId"]),
        "FLHO_Inland": str(inland["portfolioId"]),
    }
    assert subs["FLHO_Inland"]["uri"].endswith(
        f"/exposures/{exposure_id}/portfolios/{inland['portfolioId']}"
    )
    with sqlite3.connect(bridge) as db:
        rows = db.execute("SELECT edm, parent, portname, createdate FROM portinfo").fetchall()
    assert {r[:3] for r in rows} == {
        ("E_Abcd", base_id, "FLHO_Coastal"),
        ("E_Abcd", base_id, "FLHO_Inland"),
    }
    assert all(len(r[3]) == len("2026-01-01 00:00:00") for r in rows)


def test_mapping_without_a_script_is_refused_unless_no_sub_portfolio_is_expected(
    mapping,
) -> None:
    run = mapping[0]
    with pytest.raises(SubmitRejectedError, match="2b_Query_To_Create_Sub_Portfolios_FLHO"):
        run("FLHO")  # FLHO_Coastal and FLHO_Inland are expected
    outcome = run("CAWF")  # the workbook names no sub-portfolio of CAWF
    assert outcome.result["sub_portfolios"] == {}
    assert outcome.request["how"] == "no script, no sub-portfolios expected"
