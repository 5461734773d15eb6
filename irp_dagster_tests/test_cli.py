"""The ``irp`` command line end to end: the demo cycle, sample workbook, config validate/load."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner
from sqlalchemy import select

from irp_dagster.cli import main
from irp_dagster.domain.statuses import ConfigurationStatus
from irp_dagster.persistence.db import make_engine, transaction
from irp_dagster.persistence.models import Configuration


def test_demo_runs_the_cycle_to_completed() -> None:
    result = CliRunner().invoke(main, ["demo", "--clock-factor", "3000", "--timeout", "120"])
    assert result.exit_code == 0, result.output
    assert "batch edm_creation: COMPLETED" in result.output
    assert "FINISHED" in result.output


def test_sample_workbook_validates_and_a_broken_one_names_the_sheet(tmp_path) -> None:
    runner = CliRunner()
    path = tmp_path / "sample.xlsx"
    assert runner.invoke(main, ["sample-workbook", str(path)]).exit_code == 0
    ok = runner.invoke(main, ["config", "validate", str(path)])
    assert ok.exit_code == 0, ok.output

    book = openpyxl.load_workbook(path)
    del book["Databases"]
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    bad = runner.invoke(main, ["config", "validate", str(broken)])
    assert bad.exit_code == 1
    assert "Databases" in bad.output


def test_config_load_registers_the_cycle_and_stores_the_configuration(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("IRP_HOME", str(tmp_path / "home"))
    # No Moody's here: reference checks off (the demo in this process may have bound the
    # resources to IRP_MOODYS_* variables, so give them values too).
    monkeypatch.setenv("IRP_REFERENCE_CHECKS", "false")
    monkeypatch.setenv("IRP_MOODYS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("IRP_MOODYS_API_KEY", "unused")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'irp.sqlite'}"
    monkeypatch.setenv("IRP_DATABASE_URL", url)
    runner = CliRunner()
    path = tmp_path / "2026-Q1.xlsx"
    runner.invoke(main, ["sample-workbook", str(path)])
    result = runner.invoke(main, ["config", "load", "2026-Q1", str(path)])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output
    with transaction(make_engine(url)) as session:
        (row,) = session.scalars(select(Configuration)).all()
        assert row.status is ConfigurationStatus.VALID
        assert row.data["databases"]
