"""docker-compose.yml, deploy/dagster.yaml, workspace.yaml and .env.example agree."""

from __future__ import annotations

import importlib
import tomllib

import click
import pytest

from irp_dagster.ops.cli import ops
from irp_dagster_tests.deploy.files import (
    COMPOSE_VAR,
    REPO,
    compose,
    deploy_instance,
    dockerfile_stages,
    env_example,
    env_refs,
    load_yaml,
    option,
    service,
    service_env,
)

SERVICES = {"postgres", "mock-moodys", "migrate", "user-code", "webserver", "daemon", "metrics"}
DAGSTER_PROCESSES = ("migrate", "user-code", "webserver", "daemon")


def _launcher() -> dict:
    return deploy_instance()["run_launcher"]["config"]


def test_services_share_the_run_launchers_network() -> None:
    assert set(compose()["services"]) == SERVICES
    network = _launcher()["network"]
    keys = [k for k, v in compose()["networks"].items() if v.get("name") == network]
    assert len(keys) == 1, f"no compose network is named {network!r}"
    for name in SERVICES:
        assert service(name)["networks"] == keys, name


def test_workspace_points_at_the_code_server() -> None:
    (entry,) = load_yaml("workspace.yaml")["load_from"]
    grpc = entry["grpc_server"]
    assert grpc["host"] in compose()["services"]
    command = service(grpc["host"])["command"]
    assert command[:3] == ["dagster", "code-server", "start"]
    assert int(option(command, "--port")) == grpc["port"]
    assert option(command, "--host") == "0.0.0.0"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["dagster"]
    assert option(command, "--module-name") == pyproject["module_name"]
    assert grpc["location_name"] == option(command, "--location-name")
    assert grpc["location_name"] == pyproject["code_location_name"]
    health = service(grpc["host"])["healthcheck"]["test"]
    assert health[1:4] == ["dagster", "api", "grpc-health-check"]
    assert int(option(health, "-p")) == grpc["port"]


def test_every_instance_env_var_reaches_every_dagster_process_and_run() -> None:
    needed = env_refs(deploy_instance())
    assert {"DAGSTER_PG_PASSWORD", "DAGSTER_PG_HOST"} <= needed
    for name in DAGSTER_PROCESSES:
        assert needed <= set(service_env(name)), name
    assert needed <= set(_launcher()["env_vars"])


def test_runs_get_the_code_servers_settings_from_the_daemon() -> None:
    env_vars = set(_launcher()["env_vars"])
    # The launcher copies each name from the daemon's environment into the run container.
    assert env_vars <= set(service_env("daemon"))
    engine_settings = {k for k in service_env("user-code") if k.startswith("IRP_")}
    assert engine_settings <= env_vars
    assert service_env("daemon")["IRP_DATABASE_URL"] == service_env("migrate")["IRP_DATABASE_URL"]


def test_run_containers_mount_compose_volumes() -> None:
    named = {v["name"]: k for k, v in compose()["volumes"].items() if v and "name" in v}
    mounts = dict(m.split(":")[:2] for m in _launcher()["container_kwargs"]["volumes"])
    assert set(mounts) <= set(named)
    # Compute logs written by runs are read by the webserver from the same volume.
    logs = deploy_instance()["compute_logs"]["config"]["base_dir"]
    (volume,) = [v for v, path in mounts.items() if path == logs]
    assert f"{named[volume]}:{logs}" in service("webserver")["volumes"]


def test_user_code_image_is_the_run_image() -> None:
    user_code = service("user-code")
    assert service_env("user-code")["DAGSTER_CURRENT_IMAGE"] == user_code["image"]
    assert user_code["build"]["args"]["IMAGE"] == user_code["image"]
    for name in ("migrate", "metrics", "mock-moodys"):
        assert service(name)["image"] == user_code["image"]


def test_migrations_run_once_before_the_engine_starts() -> None:
    migrate = service("migrate")
    assert "irp db upgrade" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("user-code", "webserver", "daemon", "metrics"):
        condition = service(name)["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    for name, spec in compose()["services"].items():
        for target, dependency in (spec.get("depends_on") or {}).items():
            if dependency["condition"] == "service_healthy":
                assert "healthcheck" in service(target), f"{name} waits on {target}'s health"
    assert "pg_isready" in " ".join(service("postgres")["healthcheck"]["test"])


def test_env_example_lists_every_compose_variable_with_the_same_default() -> None:
    example = env_example()
    text = (REPO / "docker-compose.yml").read_text()
    used = {}
    for name, kind, default in COMPOSE_VAR.findall(text):
        assert name in example, f"${{{name}}} is not in .env.example"
        if kind == ":-":
            assert example[name] == default, name
        used[name] = kind
    assert set(example) - set(used) == {"COMPOSE_PROFILES"}
    optional = {
        name for name, kind, default in COMPOSE_VAR.findall(text) if kind == ":-" and not default
    }
    assert all(v for k, v in example.items() if k not in optional), (
        "every variable without an empty compose default has a value in .env.example"
    )


def test_env_example_does_not_leak_into_dagster_dev() -> None:
    """`dagster dev` loads a .env from the current folder: keep engine settings out of it."""
    for key in env_example():
        assert not key.startswith(("IRP_", "DAGSTER_")), key


def test_local_instance_mirrors_the_deployments_queue_and_monitoring() -> None:
    local = load_yaml("dagster.yaml")
    assert not {"storage", "run_launcher", "compute_logs"} & set(local)
    shared = ("run_coordinator", "concurrency", "run_monitoring", "retention", "sensors")
    for key in shared:
        assert local[key] == deploy_instance()[key], key
    limits = local["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {
        "key": "dagster/partition",
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    } in (limits)
    assert local["run_monitoring"]["free_slots_after_run_end_seconds"] > 0


def test_commands_in_compose_exist() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert service("mock-moodys")["command"][0] in scripts
    metrics = service("metrics")["command"]
    assert metrics[:3] == ["python", "-m", "irp_dagster.ops"]
    assert metrics[3] in ops.commands
    port = option(metrics, "--port")
    assert any(p.endswith(f":{port}") for p in service("metrics")["ports"])


def _click_command(argv: list[str]) -> tuple[click.Command, list[str]]:
    """The installed click command an argv of docker-compose.yml runs, and its arguments."""
    if argv[:3] == ["python", "-m", "irp_dagster.ops"]:
        command, args = ops, argv[3:]
    else:
        module, _, attribute = CLIS[argv[0]].partition(":")
        command, args = getattr(importlib.import_module(module), attribute), argv[1:]
    while isinstance(command, click.Group):
        command, args = command.get_command(click.Context(command), args[0]), args[1:]
        assert command is not None, argv
    return command, args


CLIS = {
    "dagster": "dagster._cli:cli",
    "dagster-webserver": "dagster_webserver.cli:cli",
    "dagster-daemon": "dagster._daemon.cli:cli",
}


def _compose_argvs() -> list[list[str]]:
    argvs = []
    for spec in compose()["services"].values():
        for argv in (spec.get("command"), (spec.get("healthcheck") or {}).get("test")):
            if not argv:
                continue
            if argv[0] == "CMD":
                argv = argv[1:]
            if argv[:2] == ["sh", "-c"]:
                argvs += [part.split() for part in argv[2].split("&&")]
            elif argv[0] != "CMD-SHELL":
                argvs.append(argv)
    return [a for a in argvs if a[0] in CLIS or a[:3] == ["python", "-m", "irp_dagster.ops"]]


#: Files the commands name inside the webserver image, and where the image copies them from.
IMAGE_FILES = {"/opt/dagster/dagster_home/workspace.yaml": REPO / "workspace.yaml"}


def test_the_webserver_image_holds_the_workspace_file() -> None:
    final = dockerfile_stages("deploy/Dockerfile.dagster")[-1]
    copies = [arg.split() for keyword, arg in final if keyword == "COPY"]
    for in_image, source in IMAGE_FILES.items():
        folder, _, name = in_image.rpartition("/")
        assert any(name in c[:-1] and c[-1].rstrip("/") == folder for c in copies), source


@pytest.mark.parametrize("argv", _compose_argvs(), ids=" ".join)
def test_compose_commands_parse_with_the_installed_clis(argv: list[str]) -> None:
    command, args = _click_command(argv)
    args = [str(IMAGE_FILES.get(a, a)) for a in args]
    command.make_context(argv[0], args)  # raises on an unknown option or a bad value
