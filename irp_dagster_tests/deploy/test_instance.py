"""The instance files load into real Dagster instances.

- What `uv run dagster dev` does in the repository root: it takes the code location from
  pyproject.toml (not the deployment's workspace.yaml) and, with DAGSTER_HOME unset, reads the
  top-level dagster.yaml, which therefore is the SQLite / local-launcher variant.
- deploy/dagster.yaml on a fresh PostgreSQL database: the instance loads with its Docker run
  launcher and queue limits, and a run completes (with the default launcher substituted).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._cli.utils import get_possibly_temporary_instance_for_cli
from dagster._cli.workspace.cli_target import workspace_opts_to_load_target
from dagster._core.instance.config import PoolGranularity
from dagster._core.instance.ref import InstanceRef
from dagster_shared.cli import WorkspaceOpts
from sqlalchemy.engine import make_url

from irp_dagster_tests.deploy.files import REPO, deploy_instance


def test_dagster_dev_takes_the_code_location_from_pyproject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    assert (REPO / "workspace.yaml").exists()  # present, and still not used by dagster dev
    (origin,) = workspace_opts_to_load_target(WorkspaceOpts()).create_origins()
    assert origin.location_name == "irp_dagster"
    assert origin.loadable_target_origin.module_name == "irp_dagster.definitions"


def test_dagster_dev_reads_the_local_dagster_yaml_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with get_possibly_temporary_instance_for_cli("dagster dev") as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.tag_concurrency_limits[0]["key"] == "dagster/partition"


def _pg_env(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    parsed = make_url(url)
    monkeypatch.setenv("DAGSTER_PG_HOST", parsed.host or "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(parsed.port or 5432))
    monkeypatch.setenv("DAGSTER_PG_USER", parsed.username or "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", parsed.password or "")
    monkeypatch.setenv("DAGSTER_PG_DB", parsed.database or "")


def _home(tmp_path: Path, *, docker_launcher: bool) -> str:
    config = deploy_instance() | {}
    config["compute_logs"] = {**config["compute_logs"], "config": {"base_dir": str(tmp_path)}}
    if not docker_launcher:
        config = {k: v for k, v in config.items() if k != "run_launcher"}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    return str(tmp_path)


@dg.op
def answer() -> int:
    return 42


@dg.job
def deploy_smoke_job() -> None:
    answer()


@pytest.mark.postgres
def test_deployment_instance_loads_on_postgres(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster_docker import DockerRunLauncher

    _pg_env(monkeypatch, postgres_url)
    with dg.DagsterInstance.from_config(_home(tmp_path, docker_launcher=True)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        launcher = instance.run_launcher
        assert isinstance(launcher, DockerRunLauncher)
        assert launcher.networks == ["irp_dagster"]
        assert "IRP_MOODYS_API_KEY" in launcher.env_vars
        concurrency = instance.get_concurrency_config()
        assert concurrency.run_queue_config.max_concurrent_runs == 10
        assert concurrency.pool_config.default_pool_limit == 4
        assert concurrency.pool_config.pool_granularity is PoolGranularity.RUN
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 300


@pytest.mark.postgres
def test_a_run_completes_on_the_deployment_instance(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run goes through an instance rebuilt from the serialized ref and the DAGSTER_PG_*
    environment, as in a run container (which gets the ref from the launcher)."""
    _pg_env(monkeypatch, postgres_url)
    home = _home(tmp_path, docker_launcher=False)
    with dg.DagsterInstance.from_config(home) as launcher_side:
        ref = dg.deserialize_value(dg.serialize_value(launcher_side.get_ref()), InstanceRef)
    with dg.DagsterInstance.from_ref(ref) as instance:
        result = deploy_smoke_job.execute_in_process(instance=instance)
        assert result.success
        assert result.output_for_node("answer") == 42
    # Another instance on the same database sees the finished run: it is in PostgreSQL.
    with dg.DagsterInstance.from_config(home) as again:
        (run,) = again.get_runs()
        assert (run.run_id, run.status) == (result.run_id, dg.DagsterRunStatus.SUCCESS)
