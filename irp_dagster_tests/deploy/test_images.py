"""The Dockerfiles (parsed, not built): locked installs, multi-stage, non-root, run image."""

from __future__ import annotations

import re
from fnmatch import fnmatch

import pytest

from irp_dagster_tests.deploy.files import REPO, compose, dockerfile_stages

DOCKERFILES = sorted(
    spec["build"]["dockerfile"] for spec in compose()["services"].values() if "build" in spec
)


def _run_lines(stages: list[list[tuple[str, str]]]) -> str:
    return "\n".join(arg for stage in stages for keyword, arg in stage if keyword == "RUN")


def _ignored(path: str) -> bool:
    patterns = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [p.strip() for p in patterns if p.strip() and not p.startswith("#")]
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch(prefix, p) for p in patterns for prefix in prefixes)


def test_compose_builds_both_images() -> None:
    assert DOCKERFILES == ["deploy/Dockerfile.dagster", "deploy/Dockerfile.user-code"]


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_multi_stage_and_non_root(dockerfile: str) -> None:
    stages = dockerfile_stages(dockerfile)
    assert len(stages) >= 2
    final = stages[-1]
    users = [arg for keyword, arg in final if keyword == "USER"]
    assert users, "the final stage sets a USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    # The runtime stage copies a built environment and installs nothing itself.
    assert any(keyword == "COPY" and arg.startswith("--from=build") for keyword, arg in final)
    assert "uv " not in _run_lines([final])


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_installs_come_from_the_lock_file(dockerfile: str) -> None:
    stages = dockerfile_stages(dockerfile)
    runs = _run_lines(stages[:-1])
    copies = [arg for stage in stages for keyword, arg in stage if keyword == "COPY"]
    assert any("uv.lock" in arg.split() for arg in copies)
    commands = re.split(r"&&|\n", runs)
    installs = [line for line in commands if " sync " in line or "pip install" in line]
    assert installs
    for line in installs:
        if " sync " in line:
            assert "--frozen" in line, line
        else:  # pip install only under the lock's exported pins
            assert "--constraint" in line, line
            assert "uv export --frozen" in runs


def test_user_code_image_names_itself_for_runs() -> None:
    final = dockerfile_stages("deploy/Dockerfile.user-code")[-1]
    env = " ".join(arg for keyword, arg in final if keyword == "ENV")
    assert "DAGSTER_CURRENT_IMAGE=${IMAGE}" in env
    assert any(keyword == "ARG" and arg.startswith("IMAGE=") for keyword, arg in final)


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_copied_files_exist_and_are_in_the_build_context(dockerfile: str) -> None:
    for stage in dockerfile_stages(dockerfile):
        for keyword, arg in stage:
            if keyword != "COPY" or "--from=" in arg:
                continue
            *sources, _target = [a for a in arg.split() if not a.startswith("--")]
            for source in sources:
                assert (REPO / source).exists(), source
                assert not _ignored(source), f"{source} is excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    for path in (".env", ".git", ".venv", ".irp", "irp_dagster/__pycache__"):
        assert _ignored(path), path
    assert not _ignored("irp_dagster/ops/doctor.py")
