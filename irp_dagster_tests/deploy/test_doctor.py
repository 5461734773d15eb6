"""`irp doctor` against real parts: a migrated SQLite database, a Dagster instance made from the
repository's dagster.yaml, and a stand-in Moody's over HTTP. Each broken part is named."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dagster import DagsterInstance
from dagster._daemon.types import DaemonHeartbeat

from irp_dagster.ops.cli import doctor
from irp_dagster.ops.doctor import CheckStatus, check_daemon, check_database
from irp_dagster.persistence.db import make_engine, upgrade
from irp_dagster_tests.deploy.conftest import API_KEY

REPO = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance from the repository's (local) dagster.yaml, every required daemon alive."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        for daemon_type in instance.get_required_daemon_types():
            instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), daemon_type, None, None))
    return home


@pytest.fixture
def healthy_env(sqlite_url: str, moodys_stub: str, dagster_home: Path) -> dict[str, str]:
    upgrade(sqlite_url)
    return {
        "IRP_DATABASE_URL": sqlite_url,
        "IRP_MOODYS_BASE_URL": moodys_stub,
        "IRP_MOODYS_API_KEY": API_KEY,
        "DAGSTER_HOME": str(dagster_home),
    }


def _doctor(env: dict[str, str]) -> Result:
    return CliRunner().invoke(doctor, ["--timeout", "5"], env=env)


def _status(output: str, part: str) -> str:
    row = next(line for line in output.splitlines() if line.startswith(part + "  "))
    return row[len(part) :].split()[0]


PARTS = (
    "database",
    "migrations",
    "dagster storage",
    "dagster daemon",
    "moodys api",
    "moodys credentials",
)


def test_healthy_setup_passes(healthy_env: dict[str, str]) -> None:
    result = _doctor(healthy_env)
    assert result.exit_code == 0, result.output
    assert {part: _status(result.output, part) for part in PARTS} == dict.fromkeys(PARTS, "ok")
    assert API_KEY not in result.output


def test_wrong_api_key_fails_the_credentials(healthy_env: dict[str, str]) -> None:
    result = _doctor({**healthy_env, "IRP_MOODYS_API_KEY": "wrong-key-123"})
    assert result.exit_code == 1
    assert _status(result.output, "moodys api") == "ok"
    assert _status(result.output, "moodys credentials") == "FAIL"
    assert "Failed: moodys credentials" in result.output
    assert "wrong-key-123" not in result.output


def test_unreachable_moodys_fails_the_api(healthy_env: dict[str, str]) -> None:
    result = _doctor({**healthy_env, "IRP_MOODYS_BASE_URL": f"http://127.0.0.1:{_closed_port()}"})
    assert result.exit_code == 1
    assert _status(result.output, "moodys api") == "FAIL"
    assert _status(result.output, "moodys credentials") == "skip"


def test_database_down_is_named_without_its_password(healthy_env: dict[str, str]) -> None:
    password = "pw-" + "x" * 8
    url = f"postgresql+psycopg2://irp:{password}@127.0.0.1:{_closed_port()}/irp"
    result = _doctor({**healthy_env, "IRP_DATABASE_URL": url})
    assert result.exit_code == 1
    assert _status(result.output, "database") == "FAIL"
    assert _status(result.output, "migrations") == "skip"
    assert _status(result.output, "moodys credentials") == "ok"
    assert password not in result.output


def test_database_behind_head_fails_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    engine = make_engine(url)
    with engine.connect():  # creates the file; no migration ran
        pass
    engine.dispose()
    database, migrations = check_database(url)
    assert database.status is CheckStatus.OK
    assert migrations.status is CheckStatus.FAIL
    assert "irp db upgrade" in migrations.detail


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    database, _ = check_database(f"sqlite:///{tmp_path / 'absent.sqlite'}")
    assert database.status is CheckStatus.FAIL
    assert not (tmp_path / "absent.sqlite").exists()


def test_stale_or_missing_daemon_heartbeat_fails(dagster_home: Path, tmp_path: Path) -> None:
    own_home = shutil.copytree(dagster_home, tmp_path / "home")  # the others keep their beats
    with DagsterInstance.from_config(str(own_home)) as instance:
        assert check_daemon(instance).status is CheckStatus.OK
        later = check_daemon(instance, tolerance_seconds=60, now=lambda: time.time() + 600)
        assert later.status is CheckStatus.FAIL
        assert "last seen" in later.detail
        instance.wipe_daemon_heartbeats()
        missing = check_daemon(instance)
    assert missing.status is CheckStatus.FAIL
    assert "no heartbeat from" in missing.detail


def test_without_dagster_home_the_instance_checks_are_skipped(
    healthy_env: dict[str, str],
) -> None:
    result = CliRunner().invoke(doctor, [], env={**healthy_env, "DAGSTER_HOME": None})
    assert result.exit_code == 0, result.output
    assert _status(result.output, "dagster daemon") == "skip"


def test_broken_dagster_storage_is_named(
    healthy_env: dict[str, str], dagster_home: Path, tmp_path: Path
) -> None:
    home = shutil.copytree(dagster_home, tmp_path / "home")
    (home / "history" / "runs.db").write_bytes(b"not a database")
    result = _doctor({**healthy_env, "DAGSTER_HOME": str(home)})
    assert result.exit_code == 1
    assert _status(result.output, "dagster storage") == "FAIL"
    assert _status(result.output, "dagster daemon") == "skip"
    assert _status(result.output, "database") == "ok"
