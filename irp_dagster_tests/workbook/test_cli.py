"""``irp config validate`` and ``irp sample-workbook`` as click commands."""

from __future__ import annotations

from click.testing import CliRunner

from irp_dagster.workbook.cli import sample_workbook_command, validate_command


def test_sample_then_validate(tmp_path) -> None:
    runner = CliRunner()
    path = tmp_path / "cycle.xlsx"
    written = runner.invoke(sample_workbook_command, [str(path)])
    assert written.exit_code == 0 and path.is_file()
    checked = runner.invoke(validate_command, [str(path)])
    assert checked.exit_code == 0, checked.output
    assert "cycle.xlsx: VALID" in checked.output


def test_validate_prints_the_error_table_and_exits_1(tmp_path) -> None:
    result = CliRunner().invoke(validate_command, [str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 1
    assert "| code | sheet | row | column | value | message |" in result.output
    assert "STRUCT-005" in result.output
